using System.Diagnostics;
using System.Security.Cryptography;
using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (storage): new files get their blocks reserved at their first write and still read as holes to the
/// resume probe, a file already there is left as it is, and the buffers of consecutive pieces are written in one call
/// across file ends and padding.</summary>
public sealed class TorrentStorageWriteTests : IDisposable
{
    private const int PieceLength = 16 * 1024;

    private readonly string _save = Directory.CreateTempSubdirectory("swarm-storage-write-").FullName;
    private readonly FileHandlePool _handles = new(16);

    public void Dispose()
    {
        _handles.Dispose();
        Directory.Delete(_save, recursive: true);
    }

    [Fact]
    public void A_preallocated_file_holds_its_blocks_and_only_written_pieces_read_as_data()
    {
        Assert.True(OperatingSystem.IsLinux(), "blocks are reserved with Linux's fallocate");
        var (meta, content) = Torrent([File(200_000, "a.bin"), File(100_000, "b.bin")]);
        var storage = new TorrentStorage(meta, _save, _handles, preallocate: true);
        storage.Prepare();
        storage.Write(2, content.AsSpan(2 * PieceLength, PieceLength));

        var a = Path.Combine(_save, "t", "a.bin");
        Assert.Equal(200_000, new FileInfo(a).Length);
        Assert.True(AllocatedBytes(a) >= 200_000, $"{AllocatedBytes(a)} bytes allocated");
        Assert.False(System.IO.File.Exists(Path.Combine(_save, "t", "b.bin"))); // no write into it yet
        Assert.Equal([2], WrittenRanges.PiecesWithData(meta, storage.PathOf, new PieceSet(meta.PieceCount)).Indices());
        Assert.True(storage.Verify(2, new byte[PieceLength]));
        Assert.False(storage.Verify(1, new byte[PieceLength])); // reserved blocks read as zeros
    }

    [Fact]
    public void Without_preallocation_a_new_file_is_sparse()
    {
        Assert.True(OperatingSystem.IsLinux(), "allocated blocks are read with stat");
        var (meta, content) = Torrent([File(400_000, "a.bin")]);
        var storage = new TorrentStorage(meta, _save, _handles);
        storage.Write(0, content.AsSpan(0, PieceLength));

        var a = Path.Combine(_save, "t", "a.bin");
        Assert.Equal(400_000, new FileInfo(a).Length);
        Assert.True(AllocatedBytes(a) < 400_000, $"{AllocatedBytes(a)} bytes allocated");
    }

    [Fact]
    public void A_file_already_there_is_not_allocated()
    {
        Assert.True(OperatingSystem.IsLinux(), "allocated blocks are read with stat");
        var (meta, content) = Torrent([File(400_000, "a.bin")]);
        var a = Path.Combine(_save, "t", "a.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(a)!);
        using (var theirs = System.IO.File.OpenHandle(a, FileMode.CreateNew, FileAccess.ReadWrite))
        {
            RandomAccess.SetLength(theirs, 400_000); // someone's sparse file, perhaps a download to resume
        }

        var storage = new TorrentStorage(meta, _save, _handles, preallocate: true);
        storage.Write(0, content.AsSpan(0, PieceLength));

        Assert.True(AllocatedBytes(a) < 400_000, $"{AllocatedBytes(a)} bytes allocated");
        Assert.True(storage.TakeCreated().IsEmpty);
    }

    [Fact]
    public void Consecutive_buffers_are_written_in_order_across_file_ends_and_padding()
    {
        var (meta, content) = Torrent([File(20_000, "a.bin"), Padding(12_768), File(30_000, "b.bin"), File(5_000, "c.bin")]);
        var storage = new TorrentStorage(meta, _save, _handles, preallocate: true);

        // Buffers cut anywhere: inside a file, across a file's end, across the padding.
        int[] cuts = [0, 7_000, 19_999, 20_500, 33_000, 60_000, content.Length];
        var parts = cuts.Zip(cuts.Skip(1), (from, to) => (ReadOnlyMemory<byte>)content.AsMemory(from, to - from)).ToList();
        storage.Write(0, parts);

        Assert.Equal(content[..20_000], System.IO.File.ReadAllBytes(Path.Combine(_save, "t", "a.bin")));
        Assert.Equal(content[32_768..62_768], System.IO.File.ReadAllBytes(Path.Combine(_save, "t", "b.bin")));
        Assert.Equal(content[62_768..], System.IO.File.ReadAllBytes(Path.Combine(_save, "t", "c.bin")));
        Assert.Equal(3, Directory.GetFiles(Path.Combine(_save, "t")).Length); // the padding is never on disk
        Assert.All(Enumerable.Range(0, meta.PieceCount), p => Assert.True(storage.Verify(p, new byte[PieceLength])));
    }

    [Fact]
    public void Flushing_pieces_in_any_order_and_twice_syncs_their_files()
    {
        var (meta, content) = Torrent([File(20_000, "a.bin"), File(30_000, "b.bin")]);
        var storage = new TorrentStorage(meta, _save, _handles);
        storage.Write(0, [content.AsMemory(0, PieceLength), content.AsMemory(PieceLength, PieceLength * 2), content.AsMemory(PieceLength * 3)]);

        storage.FlushToDisk([3, 1, 1, 0, 2]);
        storage.DropFromCache([2, 0, 3, 3]);
        Assert.Equal(content[..20_000], System.IO.File.ReadAllBytes(Path.Combine(_save, "t", "a.bin")));
        Assert.Equal(content[20_000..], System.IO.File.ReadAllBytes(Path.Combine(_save, "t", "b.bin")));
    }

    [Fact]
    public void A_check_by_runs_of_pieces_finds_what_piece_by_piece_finds()
    {
        var (meta, content) = Torrent([File(50_000, "a.bin"), File(30_000, "b.bin"), File(20_000, "c.bin")]);
        var storage = new TorrentStorage(meta, _save, _handles);
        storage.Write(0, [content]);
        using (var a = System.IO.File.OpenHandle(Path.Combine(_save, "t", "a.bin"), FileMode.Open, FileAccess.Write))
        {
            RandomAccess.Write(a, new byte[] { (byte)(content[40_000] ^ 1) }, 40_000); // piece 2 is bad
        }

        System.IO.File.Delete(Path.Combine(_save, "t", "c.bin")); // piece 4 half gone, 5 and 6 gone

        // A later start: no handle of the writes is open any more.
        using var handles = new FileHandlePool(16);
        storage = new TorrentStorage(meta, _save, handles);
        var byRuns = new bool[meta.PieceCount];
        storage.VerifyRun(0, 4, new byte[4 * PieceLength], byRuns); // pieces 0-3 in one read
        storage.VerifyRun(4, 3, new byte[2 * PieceLength], byRuns); // a read that fails: one by one
        Assert.Equal([true, true, false, true, false, false, false], byRuns);
        Assert.Equal(byRuns, Enumerable.Range(0, meta.PieceCount).Select(p => storage.Verify(p, new byte[PieceLength])));
    }

    /// <summary>Bytes the file system gave the file (stat's blocks of 512 bytes).</summary>
    private static long AllocatedBytes(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%b", path]) { RedirectStandardOutput = true })!;
        var blocks = long.Parse(stat.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        stat.WaitForExit();
        return blocks * 512;
    }

    private static BDictionary File(long length, params string[] path) =>
        BDictionary.From(("length", new BInteger(length)), ("path", Strings(path)));

    private static BDictionary Padding(long length) =>
        BDictionary.From(("attr", new BString("p")), ("length", new BInteger(length)), ("path", Strings([".pad", $"{length}"])));

    private static BList Strings(IEnumerable<string> items) => new([.. items.Select(i => (BValue)new BString(i))]);

    /// <summary>A multi-file torrent named "t" of random content (zeros in its padding) with real piece hashes.</summary>
    private static (TorrentMetainfo Meta, byte[] Content) Torrent(BDictionary[] files)
    {
        var content = new byte[files.Sum(f => ((BInteger)f["length"]!).Value)];
        new Random(9).NextBytes(content);
        long at = 0;
        foreach (var f in files)
        {
            var length = ((BInteger)f["length"]!).Value;
            if (f["attr"] is not null)
            {
                content.AsSpan((int)at, (int)length).Clear();
            }

            at += length;
        }

        var hashes = new List<byte>();
        for (var offset = 0; offset < content.Length; offset += PieceLength)
        {
            hashes.AddRange(SHA1.HashData(content.AsSpan(offset, Math.Min(PieceLength, content.Length - offset))));
        }

        var info = BDictionary.From(
            ("name", new BString("t")),
            ("piece length", new BInteger(PieceLength)),
            ("pieces", new BString([.. hashes])),
            ("files", new BList(files)));
        return (MetainfoParser.Parse(BencodeWriter.Encode(BDictionary.From(("info", info)))), content);
    }
}
