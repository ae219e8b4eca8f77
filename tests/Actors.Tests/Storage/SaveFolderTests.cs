using Swarm.Actors.Storage;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>A save folder reached through a symbolic link: paths below it are resolved on from its physical path
/// (issue 14: its links are read once per check), exactly as resolving each path whole does.</summary>
public sealed class SaveFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("swarm-savefolder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_folder_behind_a_link_keeps_what_is_inside_its_target_and_refuses_what_climbs_out_of_it()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // links need privileges there; the lexical check applies
        }

        var real = Directory.CreateDirectory(Path.Combine(_root, "deep", "real")).FullName;
        Directory.CreateDirectory(Path.Combine(_root, "outside"));
        Directory.CreateDirectory(Path.Combine(real, "sub"));
        var link = Path.Combine(_root, "save");
        Directory.CreateSymbolicLink(link, real);
        // Relative to where it lies physically (deep/real), this leads to the sibling of deep: outside the folder.
        Directory.CreateSymbolicLink(Path.Combine(real, "climb"), Path.Combine("..", "..", "outside"));
        var folder = new SaveFolder(link);

        folder.EnsureInside(Path.Combine(link, "sub", "file.bin"));
        folder.EnsureInside(Path.Combine(link, "sub", "..", "new", "file.bin"));
        var e = Assert.Throws<IOException>(() => folder.EnsureInside(Path.Combine(link, "climb", "file.bin")));
        Assert.Contains(Path.Combine(_root, "outside", "file.bin"), e.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_root, "outside", "file.bin"), SaveFolder.RealPath(Path.Combine(link, "climb", "file.bin")));
        Assert.False(folder.IsInside(Path.Combine(link, "..", "outside")));
    }
}
