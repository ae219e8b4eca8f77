namespace Swarm.Actors.Clustering;

/// <summary>The free space a member gossips, so that copies go only where they fit.</summary>
public static class FreeSpace
{
    /// <summary>Free bytes on the drive of <paramref name="folder"/> (or of its nearest existing parent), rounded down
    /// to whole GiB so that the entry changes rarely; unknown means unlimited.</summary>
    public static long WholeGiBAt(string folder)
    {
        try
        {
            var dir = new DirectoryInfo(folder);
            while (dir is { Exists: false })
            {
                dir = dir.Parent;
            }

            return dir is null ? long.MaxValue : new DriveInfo(dir.FullName).AvailableFreeSpace >> 30 << 30;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return long.MaxValue;
        }
    }
}
