using System.Security.Cryptography;
using System.Text;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>Encoding metainfo from names, file lists and piece hashes (no files: reading them is the creator's job,
/// tested with `torrent create` in Node.Tests).</summary>
public sealed class TorrentBuilderTests
{
    private static readonly DateTimeOffset Fixed = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private static TorrentBuildOptions Options(int? pieceLength = null, params string[] trackers) =>
        new(trackers.Length == 0 ? ["http://tracker.example/announce"] : trackers, pieceLength, CreationDate: Fixed);

    private static byte[] Content(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] ExpectedPieces(byte[] content, int pieceLength) =>
        content.Chunk(pieceLength).SelectMany(SHA1.HashData).ToArray();

    [Fact]
    public void CreatesASingleFileTorrentFromContent()
    {
        var content = Content(100_000, 7);
        var bytes = TorrentBuilder.Create("movie.bin", content, Options(32 * 1024));
        var m = MetainfoParser.Parse(bytes);
        Assert.Equal("movie.bin", m.Name);
        Assert.False(m.IsMultiFile);
        Assert.Equal(32 * 1024, m.PieceLength);
        var f = Assert.Single(m.Files);
        Assert.Equal(["movie.bin"], f.Path);
        Assert.Equal((100_000L, 0L), (f.Length, f.Offset));
        Assert.Equal(ExpectedPieces(content, 32 * 1024), m.PieceHashes);
        Assert.Equal(["http://tracker.example/announce"], m.Trackers);
        Assert.Equal(Fixed, m.CreationDate);
        Assert.Equal("SwarmActors", m.CreatedBy);
        var info = Assert.IsType<BDictionary>(Assert.IsType<BDictionary>(BencodeReader.Decode(bytes))["info"]);
        Assert.Null(info["files"]);
        Assert.Equal(100_000, Assert.IsType<BInteger>(info["length"]).Value);
    }

    [Fact]
    public void CreatesAFolderTorrentInTheGivenOrderWithPiecesAcrossFiles()
    {
        (string[] Path, byte[] Content)[] files =
        [
            (["b", "z.bin"], Content(10, 1)),
            (["a.txt"], []),
            (["c", "d", "e.bin"], Content(16_384 + 3, 2)),
            (["empty"], []),
            (["f.bin"], Content(16_384 * 2, 3)),
        ];
        var all = files.SelectMany(f => f.Content).ToArray();
        var hashes = TorrentBuilder.HashPieces(all, 16 * 1024);
        var list = files.Select(f => new TorrentBuildFile(f.Path, f.Content.Length)).ToList();
        var m = MetainfoParser.Parse(TorrentBuilder.Create("root", list, isFolder: true, 16 * 1024, hashes, Options()));
        Assert.True(m.IsMultiFile);
        Assert.Equal("root", m.Name);
        Assert.Equal(files.Select(f => string.Join('/', f.Path)), m.Files.Select(f => f.JoinedPath));
        Assert.Equal(files.Select(f => (long)f.Content.Length), m.Files.Select(f => f.Length));
        Assert.Equal(all.Length, m.TotalLength);
        Assert.Equal(ExpectedPieces(all, 16 * 1024), m.PieceHashes);
        Assert.Equal(4, m.PieceCount);
    }

    /// <summary>The layout mktorrent writes (sorted keys, `files` of `length` and `path`, `private` inside info), byte
    /// for byte: the info-hash of the same files then matches.</summary>
    [Fact]
    public void WritesTheInfoDictionaryByteForByte()
    {
        var hashes = TorrentBuilder.HashPieces("abc"u8, 16 * 1024);
        var files = new[] { new TorrentBuildFile(["a", "b"], 3), new TorrentBuildFile(["empty"], 0) };
        var m = MetainfoParser.Parse(TorrentBuilder.Create("root", files, isFolder: true, 16 * 1024, hashes, Options() with { IsPrivate = true }));
        var expected = Encoding.ASCII.GetBytes("d5:filesld6:lengthi3e4:pathl1:a1:beed6:lengthi0e4:pathl5:emptyeee4:name4:root12:piece lengthi16384e6:pieces20:")
            .Concat(SHA1.HashData("abc"u8)).Concat("7:privatei1ee"u8.ToArray());
        Assert.Equal(expected, m.InfoBytes.ToArray());
    }

    [Fact]
    public void IsDeterministicAndTheDateStaysOutOfTheInfoHash()
    {
        var content = Content(50_000, 1);
        Assert.Equal(TorrentBuilder.Create("x", content, Options(16 * 1024)), TorrentBuilder.Create("x", content, Options(16 * 1024)));

        var undated = new TorrentBuildOptions(["http://tracker.example/announce"], 16 * 1024);
        var a = MetainfoParser.Parse(TorrentBuilder.Create("x", content, undated));
        var b = MetainfoParser.Parse(TorrentBuilder.Create("x", content, undated with { CreationDate = Fixed.AddYears(1) }));
        Assert.Null(a.CreationDate); // no clock here: no date unless the caller gives one
        Assert.Equal(Fixed.AddYears(1), b.CreationDate);
        Assert.Equal(a.InfoBytes, b.InfoBytes);
        Assert.Equal(a.InfoHash, b.InfoHash);
    }

    [Fact]
    public void InfoHashDependsOnContent()
    {
        var content = Content(50_000, 1);
        var before = MetainfoParser.Parse(TorrentBuilder.Create("x", content, Options(16 * 1024))).InfoHash;
        content[49_999] ^= 1;
        Assert.NotEqual(before, MetainfoParser.Parse(TorrentBuilder.Create("x", content, Options(16 * 1024))).InfoHash);
    }

    [Fact]
    public void WritesTrackersPrivateAndComment()
    {
        var content = Content(1_000, 1);
        var options = new TorrentBuildOptions(["http://a/announce", "udp://b:6969/announce"], IsPrivate: true, Comment: "hi there", CreatedBy: "tests", CreationDate: Fixed);
        var bytes = TorrentBuilder.Create("x.bin", content, options);
        var m = MetainfoParser.Parse(bytes);
        Assert.True(m.IsPrivate);
        Assert.Equal("hi there", m.Comment);
        Assert.Equal("tests", m.CreatedBy);
        Assert.Equal([["http://a/announce"], ["udp://b:6969/announce"]], m.TrackerTiers.Select(t => t.ToArray()));
        var root = Assert.IsType<BDictionary>(BencodeReader.Decode(bytes));
        Assert.Equal("http://a/announce", Assert.IsType<BString>(root["announce"]).Text);

        var bare = MetainfoParser.Parse(TorrentBuilder.Create("x.bin", content, new TorrentBuildOptions([], CreationDate: Fixed)));
        Assert.Empty(bare.TrackerTiers);
        Assert.False(bare.IsPrivate);
        Assert.Null(bare.Comment);
    }

    [Theory]
    [InlineData(0L, 16 * 1024)]
    [InlineData(1L, 16 * 1024)]
    [InlineData(2000L * 16 * 1024, 16 * 1024)]
    [InlineData((2000L * 16 * 1024) + (32 * 1024), 32 * 1024)]
    [InlineData(1L << 30, 1 << 20)]
    [InlineData(1L << 40, 16 * 1024 * 1024)]
    public void ChoosesPieceLengthAutomatically(long total, int expected)
    {
        var length = TorrentBuilder.AutoPieceLength(total);
        Assert.Equal(expected, length);
        Assert.Equal(0, length & (length - 1));
        Assert.Equal(expected, TorrentBuilder.PieceLengthFor(total, null));
        Assert.Equal(64 * 1024, TorrentBuilder.PieceLengthFor(total, 64 * 1024));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-16384)]
    [InlineData(8 * 1024)]
    [InlineData(20_000)]
    [InlineData(128 * 1024 * 1024)]
    public void RejectsABadPieceLength(int pieceLength)
    {
        Assert.Throws<ArgumentException>(() => TorrentBuilder.PieceLengthFor(1_000, pieceLength));
        Assert.Throws<ArgumentException>(() => TorrentBuilder.Create("x", Content(1_000, 1), Options(pieceLength)));
    }

    [Fact]
    public void RejectsEmptyContentMismatchedHashesAndASingleFileOfMany()
    {
        Assert.Throws<ArgumentException>(() => TorrentBuilder.Create("x", [], Options()));
        var two = new[] { new TorrentBuildFile(["a"], 1), new TorrentBuildFile(["b"], 1) };
        var oneHash = new byte[TorrentBuilder.HashLength];
        Assert.Throws<ArgumentException>(() => TorrentBuilder.Create("x", two, isFolder: false, 16 * 1024, oneHash, Options()));
        Assert.Throws<ArgumentException>(() => TorrentBuilder.Create("x", two, isFolder: true, 16 * 1024, new byte[2 * TorrentBuilder.HashLength], Options()));
        Assert.Equal(2, MetainfoParser.Parse(TorrentBuilder.Create("x", two, isFolder: true, 16 * 1024, oneHash, Options())).Files.Count);
    }
}
