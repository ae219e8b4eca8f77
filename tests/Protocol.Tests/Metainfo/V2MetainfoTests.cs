using Swarm.Protocol.Bencode;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Protocol.Tests.Metainfo;

/// <summary>v2 and hybrid torrents (BEP 52) read here as libtorrent reads them: vectors made in the test by
/// python3-libtorrent, our merkle roots and piece layers computed from the content and compared with its.</summary>
public sealed class V2MetainfoTests : IDisposable
{
    private readonly ContentFolder _content = new();

    public void Dispose() => _content.Dispose();

    /// <summary>Files that exercise every padding case: exactly one block, under one block, several blocks ending
    /// mid-block, an empty file, a file of several pieces, and a name that collides with another but for case.</summary>
    private string MixedFolder()
    {
        _content.Write("c/B.bin", 16384, 1);
        _content.Write("c/a.txt", 100, 2);
        _content.Write("c/b.bin", 40000, 3);
        _content.Write("c/empty", 0, 4);
        _content.Write("c/sub/z.dat", 200_000, 5);
        return Path.Combine(_content.Root, "c");
    }

    [Theory]
    [InlineData("v2", 16384)]
    [InlineData("v2", 65536)]
    [InlineData("hybrid", 16384)]
    [InlineData("hybrid", 32768)]
    public void ReadsLibtorrentsFolderTorrent(string mode, int pieceLength)
    {
        var folder = MixedFolder();
        var lt = LibtorrentTorrents.Create(folder, mode, pieceLength);
        var m = MetainfoParser.Parse(lt.Torrent);

        var v2 = Assert.IsType<TorrentV2>(m.V2);
        Assert.Equal(lt.V2, v2.InfoHash.Hex);
        Assert.Equal(lt.V1 ?? lt.V2![..40], m.InfoHash.Hex);
        Assert.Equal(mode == "v2" ? 2 : "hybrid", m.Version);
        Assert.Equal(mode == "hybrid", v2.IsHybrid);
        Assert.Equal(lt.Info, m.InfoBytes);

        // The same content layout libtorrent uses: pad files where it has them, so pieces have the same sizes.
        Assert.Equal(lt.Pieces, m.PieceCount);
        Assert.Equal(lt.LastPieceSize, m.PieceSize(m.PieceCount - 1));
        Assert.Equal(lt.Files.Select(f => (f.Size, f.Offset, f.IsPadding)), m.Files.Select(f => (f.Length, f.Offset, f.IsPadding)));
        Assert.Equal(lt.Files.Select(f => f.Path), m.Files.Select(f => "c/" + f.JoinedPath));

        // Roots and layers computed here from the files equal libtorrent's.
        foreach (var file in v2.Files)
        {
            var data = File.ReadAllBytes(Path.Combine(folder, Path.Combine([.. file.Path])));
            Assert.Equal(file.Length, data.Length);
            if (data.Length == 0)
            {
                Assert.Null(file.PiecesRoot);
                continue;
            }

            Assert.Equal(MerkleTree.FileRoot(data), file.PiecesRoot);
            var layer = v2.LayerOf(file);
            if (data.Length <= pieceLength)
            {
                Assert.Null(layer);
                continue;
            }

            var ours = Enumerable.Range(0, (data.Length + pieceLength - 1) / pieceLength)
                .SelectMany(p => MerkleTree.PieceRoot(data.AsSpan(p * pieceLength, Math.Min(pieceLength, data.Length - (p * pieceLength))), pieceLength))
                .ToArray();
            Assert.Equal(ours, layer);
        }

        // Every piece as a peer would send it verifies, and one wrong byte fails it.
        var content = Content(m, folder);
        for (var piece = 0; piece < m.PieceCount; piece++)
        {
            var bytes = content.AsSpan((int)((long)piece * pieceLength), m.PieceSize(piece)).ToArray();
            var expected = PieceExpectation.For(m, piece);
            Assert.True(expected.Matches(bytes), $"piece {piece} does not verify");
            Assert.Equal(mode == "hybrid", expected.Sha1 is not null);
            Assert.NotNull(expected.V2Root);
            // Within the file's bytes: a v2-only piece's pad zeros are never stored, so only SHA-1 covers them.
            bytes[expected.V2Length / 3] ^= 1;
            Assert.False(expected.Matches(bytes), $"piece {piece} verifies with a wrong byte");
        }
    }

    [Theory]
    [InlineData("v2", 16384, 1)]
    [InlineData("v2", 16384, 50_000)]
    [InlineData("hybrid", 65536, 300_001)]
    [InlineData("v2", 1 << 20, 300_001)]
    public void ReadsLibtorrentsSingleFileTorrent(string mode, int pieceLength, int length)
    {
        var path = _content.Write("one.bin", length, 7);
        var lt = LibtorrentTorrents.Create(path, mode, pieceLength);
        var m = MetainfoParser.Parse(lt.Torrent);
        Assert.Equal(lt.V2, m.V2!.InfoHash.Hex);
        Assert.Equal(lt.V1 ?? lt.V2![..40], m.InfoHash.Hex);
        Assert.False(m.IsMultiFile);
        Assert.Equal("one.bin", m.Files[0].JoinedPath);
        Assert.All(m.Files.Skip(1), f => Assert.True(f.IsPadding));
        Assert.Equal(lt.Pieces, m.PieceCount);
        Assert.Equal(lt.LastPieceSize, m.PieceSize(m.PieceCount - 1));
        Assert.Equal(MerkleTree.FileRoot(File.ReadAllBytes(path)), m.V2.Files[0].PiecesRoot);

        var content = new byte[m.TotalLength];
        File.ReadAllBytes(path).CopyTo(content, 0);
        for (var piece = 0; piece < m.PieceCount; piece++)
        {
            var bytes = content.AsSpan(piece * pieceLength, m.PieceSize(piece)).ToArray();
            Assert.True(PieceExpectation.For(m, piece).Matches(bytes));

            // Read a part at a time, as storage re-checks a piece from disk.
            using var hasher = PieceExpectation.For(m, piece).Start();
            for (var at = 0; at < bytes.Length; at += 5000)
            {
                hasher.Append(bytes.AsSpan(at, Math.Min(5000, bytes.Length - at)));
            }

            Assert.True(hasher.Matches());
            bytes[Math.Min(bytes.Length, length - (piece * pieceLength)) - 1] ^= 0x80;
            Assert.False(PieceExpectation.For(m, piece).Matches(bytes));
        }
    }

    [Fact]
    public void ReadsAV2FolderOfOneFileAsThatFileAsLibtorrentDoes()
    {
        _content.Write("f1/only.bin", 20_000, 12);
        var lt = LibtorrentTorrents.Create(Path.Combine(_content.Root, "f1"), "v2", 16384);
        var m = MetainfoParser.Parse(lt.Torrent);
        Assert.Equal(lt.Files.Select(f => f.Path), m.Files.Select(f => f.IsPadding ? "only.bin/" + f.JoinedPath : f.JoinedPath));
        Assert.Equal("only.bin", m.Name);
        Assert.False(m.IsMultiFile);
        Assert.Equal(lt.Pieces, m.PieceCount);
    }

    [Fact]
    public void RefusesAPieceLayerThatDoesNotHashToItsRoot()
    {
        var lt = LibtorrentTorrents.Create(_content.Write("big.bin", 100_000, 9), "v2", 16384);
        var torrent = Decode(lt.Torrent);
        var layers = (BDictionary)torrent["piece layers"]!;
        var (key, layer) = layers.Entries.Single();

        var flipped = ((BString)layer).Bytes.ToArray();
        flipped[5] ^= 1;
        Refuses(With(torrent, ("piece layers", BDictionary.From((key, new BString(flipped))))), "does not hash to its 'pieces root'");
        Refuses(With(torrent, ("piece layers", BDictionary.From((key, new BString(flipped[..^32]))))), "not the 224 of its 7 pieces");
        Refuses(With(torrent, ("piece layers", BDictionary.From())), "no layer for 'big.bin'");
        Refuses(With(torrent, ("piece layers", null)), "no layer for 'big.bin'");
    }

    [Fact]
    public void RefusesAHybridWhoseV1FilesDoNotMatchItsFileTree()
    {
        MixedFolder();
        var lt = LibtorrentTorrents.Create(Path.Combine(_content.Root, "c"), "hybrid", 16384);
        var torrent = Decode(lt.Torrent);
        var info = (BDictionary)torrent["info"]!;
        var files = ((BList)info["files"]!).Items.Cast<BDictionary>().ToList();

        // a.txt grows by one byte inside the v1 list (its pad shrinks to keep b.bin aligned): lengths differ.
        var grown = files.Select(f => f["path"] is BList { Items: [BString { Text: "a.txt" }] } ? With(f, ("length", new BInteger(101))) : f)
            .Select(f => f["path"] is BList { Items: [BString { Text: ".pad" }, BString { Text: "16284" }] } ? With(f, ("length", new BInteger(16283))) : f);
        Refuses(WithInfo(torrent, info, ("files", new BList([.. grown]))), "does not match the 'file tree' file 'a.txt'");

        // Without its pad file, b.bin starts mid-piece: SHA-1 and SHA-256 pieces would cover different bytes.
        var padFirst = files.Take(1).Append(files[2]).Append(files[1]).Concat(files.Skip(3));
        Refuses(WithInfo(torrent, info, ("files", new BList([.. padFirst]))), "not on a piece boundary");

        var dropped = files.Where(f => f["path"] is not BList { Items: [BString { Text: "empty" }] });
        Refuses(WithInfo(torrent, info, ("files", new BList([.. dropped]))), "v1 file list has 4 files but its 'file tree' 5");
    }

    [Fact]
    public void RefusesAFileTreeEntryWithoutARootOrLength()
    {
        var lt = LibtorrentTorrents.Create(_content.Write("one.bin", 1000, 3), "v2", 16384);
        var torrent = Decode(lt.Torrent);
        var info = (BDictionary)torrent["info"]!;
        var noRoot = BDictionary.From(("one.bin", BDictionary.From(("", BDictionary.From(("length", new BInteger(1000)))))));
        Refuses(WithInfo(torrent, info, ("file tree", noRoot)), "has no 32-byte 'pieces root'");
        var negative = BDictionary.From(("one.bin", BDictionary.From(("", BDictionary.From(("length", new BInteger(-1)), ("pieces root", new BString(new byte[32])))))));
        Refuses(WithInfo(torrent, info, ("file tree", negative)), "has no valid 'length'");
        Refuses(WithInfo(torrent, info, ("file tree", BDictionary.From())), "holds no file");
        var huge = BDictionary.From(("one.bin", BDictionary.From(("", BDictionary.From(("length", new BInteger(1L << 50)), ("pieces root", new BString(new byte[32])))))));
        Refuses(WithInfo(torrent, info, ("file tree", huge)), "add up to more than");
    }

    [Fact]
    public void AV2OnlyMagnetsInfoDictionaryIsKeyedByItsTruncatedHash()
    {
        var lt = LibtorrentTorrents.Create(_content.Write("one.bin", 1000, 3), "v2", 16384);
        var m = MetainfoParser.ParseInfoDictionary(lt.Info, InfoHash.Parse(lt.V2![..40]));
        Assert.Equal(lt.V2, m.V2!.InfoHash.Hex);
        Assert.Throws<InvalidTorrentException>(() => MetainfoParser.ParseInfoDictionary(lt.Info, InfoHash.Parse(new string('0', 40))));
    }

    [Fact]
    public void PieceLayersKeptBesideTheInfoDictionaryVerifyItsPiecesAgain()
    {
        // A catalog keeps only the info dictionary; a v2-only torrent also needs its layers to verify big files.
        var path = _content.Write("big.bin", 100_000, 13);
        var lt = LibtorrentTorrents.Create(path, "v2", 16384);
        var full = MetainfoParser.Parse(lt.Torrent);
        var bare = MetainfoParser.ParseInfoDictionary(full.InfoBytes, full.InfoHash);
        var piece = File.ReadAllBytes(path).AsSpan(16384, 16384).ToArray();
        Assert.False(PieceExpectation.For(bare, 1).Matches(piece));

        var kept = PieceLayers.Attach(bare, PieceLayers.Encode(full));
        Assert.True(PieceExpectation.For(kept, 1).Matches(piece));

        var bad = PieceLayers.Encode(full)!;
        bad[^10] ^= 1;
        Assert.Throws<InvalidTorrentException>(() => PieceLayers.Attach(bare, bad));
        Assert.Null(PieceLayers.Encode(MetainfoParser.Parse(Craft.Torrent(Craft.SingleInfo()))));
    }

    [Fact]
    public void PadsBeyondTheFileHashAsZeroSubtrees()
    {
        // BEP 52: the leaves past a file's end are zero hashes; a layer past the last piece pads with the root of a
        // piece of zero leaves. Both roads to the root of a 3-piece file agree.
        var data = new byte[(3 * 32768) - 5];
        new Random(11).NextBytes(data);
        var layer = Enumerable.Range(0, 3).SelectMany(p => MerkleTree.PieceRoot(data.AsSpan(p * 32768, Math.Min(32768, data.Length - (p * 32768))), 32768)).ToArray();
        Assert.Equal(MerkleTree.FileRoot(data), MerkleTree.RootOfLayer(layer, 32768));
        Assert.Equal(new byte[32], MerkleTree.Pad(0).ToArray());
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(new byte[64]), MerkleTree.Pad(1).ToArray());
    }

    private static byte[] Content(TorrentMetainfo m, string folder)
    {
        // By the tree's paths: the layout's may be renamed ("b.1.bin") as libtorrent renames names that collide.
        var content = new byte[m.TotalLength];
        for (var i = 0; i < m.V2!.Files.Count; i++)
        {
            File.ReadAllBytes(Path.Combine(folder, Path.Combine([.. m.V2.Files[i].Path]))).CopyTo(content, m.V2.Offsets[i]);
        }

        return content;
    }

    private static BDictionary Decode(byte[] torrent) => (BDictionary)BencodeReader.Decode(torrent);

    private static BDictionary With(BDictionary d, params (string Key, BValue? Value)[] changes)
    {
        var entries = d.Entries.ToDictionary(e => e.Key, e => (BValue?)e.Value);
        foreach (var (key, value) in changes)
        {
            entries[key] = value;
        }

        return BDictionary.From([.. entries.Select(e => (e.Key, e.Value))]);
    }

    private static BDictionary WithInfo(BDictionary torrent, BDictionary info, params (string Key, BValue? Value)[] changes) =>
        With(torrent, ("info", With(info, changes)));

    private static void Refuses(BDictionary torrent, string expected)
    {
        var e = Assert.Throws<InvalidTorrentException>(() => MetainfoParser.Parse(BencodeWriter.Encode(torrent)));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
