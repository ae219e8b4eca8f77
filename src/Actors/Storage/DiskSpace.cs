using System.Globalization;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Storage;

/// <summary>What adding a torrent would take from the disk, read from the disk: the bytes its files still lack and the
/// space free where it saves. The rule deciding on them is <see cref="Catalog.AddLimits"/>.</summary>
public static class DiskSpace
{
    /// <summary>Bytes the torrent's data files still need: each file's length less what is already there (a file of
    /// this torrent from an earlier run, or data put there to seed). Links and padding take nothing.</summary>
    public static long BytesToWrite(TorrentMetainfo meta, IReadOnlyList<string> paths)
    {
        var files = meta.Files.Where(f => !f.IsPadding).ToList();
        long needed = 0;
        for (var i = 0; i < files.Count && i < paths.Count; i++)
        {
            if (files[i].IsSymlink)
            {
                continue;
            }

            var info = new FileInfo(paths[i]);
            var there = info.Exists ? info.Length : 0;
            needed += Math.Max(0, files[i].Length - there);
        }

        return needed;
    }

    /// <summary>Free bytes for an unprivileged writer on the drive of <paramref name="folder"/> (or of its nearest
    /// existing parent); null when it cannot be read.</summary>
    public static long? FreeAt(string folder)
    {
        try
        {
            var dir = new DirectoryInfo(folder);
            while (dir is { Exists: false })
            {
                dir = dir.Parent;
            }

            return dir is null ? null : new DriveInfo(dir.FullName).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>A size as people read it: 8 TiB, 72.6 GiB, 512 KiB (binary units, one decimal at most).</summary>
    public static string Human(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        var n = (double)bytes;
        var u = 0;
        while (n >= 1024 && u < units.Length - 1)
        {
            n /= 1024;
            u++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{n:0.#} {units[u]}");
    }
}
