using Swarm.Actors.Storage;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (footprint): only pages that read back unchanged from their file are paged out.</summary>
public sealed class MappedImagesTests
{
    private const string Smaps = """
        7fdba2800000-7fdba37b7000 r--s 00000000 fe:00 5367196                    /opt/app/linq2db.dll
        Size:              16092 kB
        Rss:                3392 kB
        Anonymous:             0 kB
        VmFlags: rd sh mr mw me ms
        7fe7a5210000-7fe7a5eb9000 r-xp 00000000 fe:00 5367196                    /opt/app/linq2db.dll
        Size:              12964 kB
        Anonymous:             0 kB
        7fe7a5ed8000-7fe7a61d4000 rw-p 00ca8000 fe:00 5367196                    /opt/app/linq2db.dll
        Size:               3056 kB
        Anonymous:           476 kB
        7fe7a61f3000-7fe7a6207000 r--p 00fa3000 fe:00 5367196                    /usr/lib/libc.so.6
        Size:                 80 kB
        Anonymous:             8 kB
        7fe7a6300000-7fe7a6400000 r-xs 00000000 00:01 2048                       /memfd:doublemapper (deleted)
        Anonymous:             0 kB
        7fe7a6500000-7fe7a6600000 r--p 00000000 00:00 0
        Anonymous:             0 kB
        7fe7a6700000-7fe7a6701000 r--p 00000000 fe:00 77                         /usr/lib/gone.so (deleted)
        Anonymous:             0 kB
        7fffa0000000-7fffa0021000 rw-p 00000000 00:00 0                          [stack]
        Anonymous:           132 kB
        """;

    [Fact]
    public void Only_read_only_file_mappings_without_private_copies_are_reclaimable()
    {
        var ranges = MappedImages.Reclaimable(new StringReader(Smaps));
        Assert.Equal(
            [(0x7fdba2800000UL, 0x7fdba37b7000UL - 0x7fdba2800000UL), (0x7fe7a5210000UL, 0x7fe7a5eb9000UL - 0x7fe7a5210000UL)],
            ranges);
    }

    [Fact]
    public void This_process_pages_out_its_own_images_and_keeps_running_them()
    {
        Assert.True(OperatingSystem.IsLinux(), "the footprint trim is Linux's (MADV_PAGEOUT)");
        var advised = MappedImages.PageOut();
        Assert.True(advised > 1 << 20, $"{advised} bytes advised");
        // The code paged out runs again (read back from the page cache).
        using var reader = new StringReader(Smaps);
        Assert.Equal(2, MappedImages.Reclaimable(reader).Count);
    }
}
