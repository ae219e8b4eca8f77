using Swarm.Actors.Catalog;
using Swarm.Actors.Configuration;
using Swarm.Actors.Storage;
using Xunit;

namespace Swarm.Actors.Tests.Catalog;

/// <summary>The disk rules of an add, without any actor or disk: the file cap and room for the bytes still missing.</summary>
public sealed class AddLimitsTests
{
    private static readonly AddLimits Limits = new(new FilesSettings(MaxFilesPerTorrent: 2, MinFreeSpace: 1L << 30, "replicas"));

    [Fact]
    public void Eight_TiB_on_78_GB_free_is_refused_with_both_numbers()
    {
        var meta = PathClaimsTests.Info("huge.img", ("huge.img", 10), seed: 1);

        var refusal = Limits.SpaceRefusal(meta, "/data", needed: 8L << 40, free: 78_000_000_000);

        Assert.Equal($"not enough disk space in /data for {meta.InfoHash.Hex[..8]} (huge.img): needs 8 TiB, 72.6 GiB free, keeping 1 GiB free", refusal);
    }

    [Fact]
    public void What_fits_with_the_margin_left_is_allowed_and_what_eats_the_margin_is_not()
    {
        var meta = PathClaimsTests.Info("a.bin", ("a.bin", 10), seed: 1);
        Assert.Null(Limits.SpaceRefusal(meta, "/d", needed: 3L << 30, free: 4L << 30));
        Assert.NotNull(Limits.SpaceRefusal(meta, "/d", needed: (3L << 30) + 1, free: 4L << 30));
        // Everything already on disk (seeding, resuming) needs nothing; an unknown free space is no reason to refuse.
        Assert.Null(Limits.SpaceRefusal(meta, "/d", needed: 0, free: 0));
        Assert.Null(Limits.SpaceRefusal(meta, "/d", needed: 8L << 40, free: null));
    }

    [Fact]
    public void More_files_than_the_cap_are_refused()
    {
        var three = PathClaimsTests.Info("t", ("a", 1), ("b", 1), ("c", 1));

        Assert.Contains("has 3 files, more than this node allows per torrent (2", Limits.FileCountRefusal(three), StringComparison.Ordinal);
        Assert.Null(Limits.FileCountRefusal(PathClaimsTests.Info("t", ("a", 1), ("b", 1))));
    }

    [Fact]
    public void Sizes_read_as_people_read_them()
    {
        Assert.Equal("8 TiB", DiskSpace.Human(8L << 40));
        Assert.Equal("512 KiB", DiskSpace.Human(512 * 1024));
        Assert.Equal("1.5 MiB", DiskSpace.Human(3 << 19));
        Assert.Equal("0 B", DiskSpace.Human(0));
    }
}
