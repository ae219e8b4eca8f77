using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
using Swarm.Actors.Tests.Support;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>The data-presence probe on real sparse files (the test folder must be on a file system with holes: ext4,
/// xfs, btrfs, tmpfs). Nothing is fsynced: after a kill -9 the written data is only in the page cache, and the probe
/// must see it there. Layouts are aligned to 4 KiB blocks, so the pieces found are exact.</summary>
public sealed class WrittenRangesTests : IDisposable
{
    private const int PieceLength = 64 << 10;
    private readonly string _dir = Directory.CreateTempSubdirectory("swarm-written-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_file_of_holes_has_no_data_and_no_piece_to_hash()
    {
        var file = Sparse("holes.bin", 16 * PieceLength);
        using var handle = File.OpenHandle(file);
        Assert.Empty(WrittenRanges.DataExtents(handle, 16 * PieceLength));
        Assert.Empty(WrittenRanges.PiecesWithData(SingleFile(16 * PieceLength), _ => file, new PieceSet(16)).Indices());
    }

    [Fact]
    public void Whole_pieces_written_are_found_and_their_neighbours_are_not()
    {
        var file = Sparse("data.bin", 16 * PieceLength);
        Write(file, 2L * PieceLength, new byte[PieceLength]);
        Write(file, 5L * PieceLength, Enumerable.Repeat((byte)7, PieceLength).ToArray());

        using (var handle = File.OpenHandle(file))
        {
            Assert.Equal([(2L * PieceLength, 3L * PieceLength), (5L * PieceLength, 6L * PieceLength)], WrittenRanges.DataExtents(handle, 16 * PieceLength));
        }

        Assert.Equal([2, 5], WrittenRanges.PiecesWithData(SingleFile(16 * PieceLength), _ => file, new PieceSet(16)).Indices());
    }

    [Fact]
    public void A_byte_at_a_piece_edge_marks_that_piece_only()
    {
        var file = Sparse("edges.bin", 16 * PieceLength);
        Write(file, (8L * PieceLength) - 1, [1]); // the last byte of piece 7
        Write(file, 9L * PieceLength, [1]); // the first byte of piece 9
        Write(file, (16L * PieceLength) - 1, [1]); // the torrent's last byte

        Assert.Equal([7, 9, 15], WrittenRanges.PiecesWithData(SingleFile(16 * PieceLength), _ => file, new PieceSet(16)).Indices());
    }

    [Fact]
    public void Pieces_already_known_are_skipped()
    {
        var file = Sparse("known.bin", 16 * PieceLength);
        Write(file, 0, new byte[4 * PieceLength]);
        var known = new PieceSet(16);
        known.Add(1);
        known.Add(2);

        Assert.Equal([0, 3], WrittenRanges.PiecesWithData(SingleFile(16 * PieceLength), _ => file, known).Indices());
    }

    [Fact]
    public void A_missing_file_holds_nothing_and_a_short_one_only_what_it_has()
    {
        Assert.Empty(WrittenRanges.PiecesWithData(SingleFile(16 * PieceLength), _ => Path.Combine(_dir, "absent.bin"), new PieceSet(16)).Indices());

        // Shrunk behind the torrent's back, not a hole: its last piece is all there is, nothing past its end counts.
        var file = Path.Combine(_dir, "short.bin");
        File.WriteAllBytes(file, new byte[(3 * PieceLength) + 10]);
        Assert.Equal([0, 1, 2, 3], WrittenRanges.PiecesWithData(SingleFile(16 * PieceLength), _ => file, new PieceSet(16)).Indices());
    }

    [Fact]
    public void Data_in_one_file_maps_to_the_pieces_that_span_into_its_neighbours()
    {
        // a: [0, 40960) pieces 0-1; b: [40960, 90112) pieces 1-2; c: [90112, 110112) pieces 2-3 (32 KiB pieces).
        const int pieceLength = 32 << 10;
        var meta = MultiFile(pieceLength, ("a", 40960), ("b", 49152), ("c", 20000));
        var paths = new[] { Sparse("a", 40960), Sparse("b", 49152), Sparse("c", 20000) };
        var found = () => WrittenRanges.PiecesWithData(meta, i => paths[i], new PieceSet(meta.PieceCount)).Indices();

        // Piece 1 written whole: the tail of a and the head of b, nothing else.
        Write(paths[0], 32768, new byte[40960 - 32768]);
        Write(paths[1], 0, new byte[65536 - 40960]);
        Assert.Equal([1], found());

        // The first byte of c lies in piece 2; its last byte in the short last piece.
        Write(paths[2], 0, [1]);
        Write(paths[2], 19999, [1]);
        Assert.Equal([1, 2, 3], found());
    }

    [Fact]
    public void Ranges_map_to_pieces_at_their_edges()
    {
        var into = new PieceSet(10);
        var none = new PieceSet(10);
        WrittenRanges.AddPieces(into, 100, 100, 200, none);
        Assert.Equal([1], into.Indices());
        WrittenRanges.AddPieces(into, 100, 299, 301, none);
        Assert.Equal([1, 2, 3], into.Indices());
        WrittenRanges.AddPieces(into, 100, 500, 500, none);
        Assert.Equal([1, 2, 3], into.Indices());

        // Past the last piece (a file longer than the torrent says) is clamped, not a crash.
        WrittenRanges.AddPieces(into, 100, 950, 2000, none);
        Assert.Equal([1, 2, 3, 9], into.Indices());
    }

    [Fact]
    public void Written_pieces_are_hashed_and_only_matching_ones_come_back()
    {
        using var torrent = new TestTorrent(length: 16 * PieceLength, pieceLength: PieceLength);
        var storage = new TorrentStorage(torrent.Metainfo, _dir, new FileHandlePool(8));
        storage.Prepare();
        storage.Write(1, Piece(torrent, 1));
        storage.Write(3, Piece(torrent, 3));
        var corrupt = Piece(torrent, 4);
        corrupt[1000] ^= 0xFF;
        storage.Write(4, corrupt);
        // Cut short by a kill in the middle of writing it.
        storage.Write(6, Piece(torrent, 6).AsSpan(0, PieceLength / 2));
        var known = new PieceSet(16);
        known.Add(3);

        var hashed = WrittenRanges.HashWritten(storage, known, parallelism: 2);

        Assert.Equal([1], hashed.Verified.Indices());
        Assert.Equal(3, hashed.Hashed);
    }

    private static byte[] Piece(TestTorrent torrent, int piece) => torrent.Content.AsSpan(piece * PieceLength, PieceLength).ToArray();

    private static TorrentMetainfo SingleFile(long length) => MultiFile(PieceLength, ("one.bin", length));

    private static TorrentMetainfo MultiFile(int pieceLength, params (string Name, long Length)[] files)
    {
        // The probe reads no hashes: zeros do.
        var total = files.Sum(f => f.Length);
        var hashes = new byte[TorrentBuilder.PieceCount(total, pieceLength) * TorrentBuilder.HashLength];
        var info = TorrentBuilder.Create("t", [.. files.Select(f => new TorrentBuildFile([f.Name], f.Length))], isFolder: true, pieceLength, hashes, new TorrentBuildOptions([]));
        return MetainfoParser.Parse(info);
    }

    private string Sparse(string name, long length)
    {
        var path = Path.Combine(_dir, name);
        using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite);
        RandomAccess.SetLength(handle, length);
        return path;
    }

    private static void Write(string path, long offset, byte[] data)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.Write(handle, data, offset);
    }
}
