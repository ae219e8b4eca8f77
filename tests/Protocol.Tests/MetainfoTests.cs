using System.Security.Cryptography;
using System.Text;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Metainfo;
using Xunit;
using static Swarm.Protocol.Tests.BValues;
using static Swarm.Protocol.Tests.Craft;

namespace Swarm.Protocol.Tests;

public sealed class MetainfoTests
{
    private static InvalidTorrentException Rejects(byte[] torrent, string expected)
    {
        var e = Assert.Throws<InvalidTorrentException>(() => MetainfoParser.Parse(torrent));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain('\r', e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
        return e;
    }

    private static InvalidTorrentException RejectsInfo(BDictionary info, string expected) => Rejects(Torrent(info), expected);

    private static InvalidTorrentException RejectsFiles(string expected, params BValue[] files) => RejectsInfo(MultiInfo(files), expected);

    [Fact]
    public void The_piece_hashes_are_read_where_they_lie_in_the_kept_info_dictionary()
    {
        // Issue 14 (piece count): a copy of their own doubled what a torrent of 262,144 pieces keeps (5 MiB more).
        var info = SingleInfo(("length", Int(40_000)), ("pieces", Pieces(40_000, PieceLength)));
        var expected = ((BString)info["pieces"]!).Bytes;

        foreach (var m in new[] { MetainfoParser.Parse(Torrent(info)), MetainfoParser.ParseInfoDictionary(BencodeWriter.Encode(info)) })
        {
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(m.PieceHashes, out var segment));
            Assert.Same(m.InfoBytes, segment.Array);
            Assert.Equal(expected, m.PieceHashes.ToArray());
            Assert.Equal(expected.AsSpan(20, 20).ToArray(), m.PieceHash(1).ToArray());
        }
    }

    [Fact]
    public void ParsesASingleFileTorrent()
    {
        var m = MetainfoParser.Parse(Torrent(SingleInfo(("length", Int(40_000)), ("pieces", Pieces(40_000, PieceLength)))));
        Assert.Equal("a.bin", m.Name);
        Assert.False(m.IsMultiFile);
        Assert.Equal(PieceLength, m.PieceLength);
        Assert.Equal(3, m.PieceCount);
        Assert.Equal(40_000, m.TotalLength);
        var f = Assert.Single(m.Files);
        Assert.Equal(["a.bin"], f.Path);
        Assert.Equal((40_000L, 0L, false), (f.Length, f.Offset, f.IsPadding));
        Assert.Equal(PieceLength, m.PieceSize(0));
        Assert.Equal(40_000 - (2 * PieceLength), m.PieceSize(2));
        Assert.Equal(Pieces(40_000, PieceLength).Bytes.AsSpan(20, 20).ToArray(), m.PieceHash(1).ToArray());
        Assert.Equal(["http://tracker.example/announce"], m.Trackers);
        Assert.False(m.IsPrivate);
    }

    [Fact]
    public void ParsesAMultiFileTorrentWithOffsets()
    {
        var m = MetainfoParser.Parse(Torrent(MultiInfo([File(100, "a.txt"), File(0, "empty"), File(20_000, "sub", "dir", "b.bin"), File(5, "z")])));
        Assert.True(m.IsMultiFile);
        Assert.Equal("folder", m.Name);
        Assert.Equal(["a.txt", "empty", "sub/dir/b.bin", "z"], m.Files.Select(f => f.JoinedPath));
        Assert.Equal([0L, 100L, 100L, 20_100L], m.Files.Select(f => f.Offset));
        Assert.Equal([100L, 0L, 20_000L, 5L], m.Files.Select(f => f.Length));
        Assert.Equal(20_105, m.TotalLength);
        Assert.Equal(2, m.PieceCount);
    }

    [Fact]
    public void PrefersUtf8NameAndPathKeys()
    {
        var file = BDictionary.From(
            ("length", Int(10)),
            ("path", List(Str("bad"))),
            ("path.utf-8", List(Str("caf\u00e9.txt"))));
        var m = MetainfoParser.Parse(Torrent(MultiInfo([file], ("name.utf-8", Str("d\u00e9j\u00e0")))));
        Assert.Equal("d\u00e9j\u00e0", m.Name);
        Assert.Equal("caf\u00e9.txt", Assert.Single(m.Files).JoinedPath);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-16384)]
    [InlineData((long)(int.MaxValue / 2) + 1)]
    [InlineData(1L << 40)]
    public void RejectsPieceLengthsLibtorrentRefuses(long pieceLength) =>
        RejectsInfo(SingleInfo(("piece length", Int(pieceLength))), "'piece length'");

    /// <summary>libtorrent loads any v1 piece length from 1 byte to int.MaxValue / 2, power of two or not.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(8192)]
    [InlineData(16383)]
    [InlineData(16 * 1024)]
    [InlineData(24576)]
    [InlineData(100_000)]
    [InlineData(64 * 1024 * 1024)]
    [InlineData(128 * 1024 * 1024)]
    [InlineData(int.MaxValue / 2)]
    public void AcceptsEveryPieceLengthLibtorrentLoads(int pieceLength)
    {
        var m = MetainfoParser.Parse(Torrent(SingleInfo(("piece length", Int(pieceLength)), ("pieces", Pieces(1000, pieceLength)))));
        Assert.Equal(pieceLength, m.PieceLength);
        Assert.Equal((1000 + pieceLength - 1) / pieceLength, m.PieceCount);
        Assert.Equal(Math.Min(1000, pieceLength), m.PieceSize(0));
        Assert.Equal(1000 - ((m.PieceCount - 1) * pieceLength), m.PieceSize(m.PieceCount - 1));
    }

    [Theory]
    [InlineData(8192)]
    [InlineData(24576)]
    public void RejectsAHybridPieceLengthBep52Forbids(int pieceLength)
    {
        var fileTree = BDictionary.From(("a.bin", BDictionary.From(("", BDictionary.From(("length", Int(1000)), ("pieces root", new BString(new byte[32])))))));
        var info = SingleInfo(("meta version", Int(2)), ("file tree", fileTree), ("piece length", Int(pieceLength)), ("pieces", Pieces(1000, pieceLength)));
        Rejects(Torrent(info), "power of two");
    }

    [Fact]
    public void RejectsMissingOrMistypedPieceLength()
    {
        RejectsInfo(SingleInfo(("piece length", null)), "'piece length'");
        RejectsInfo(SingleInfo(("piece length", Str("16384"))), "'piece length'");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    [InlineData(21)]
    [InlineData(39)]
    public void RejectsPiecesNotAMultipleOf20(int size) =>
        RejectsInfo(SingleInfo(("pieces", new BString(new byte[size]))), "multiple of 20");

    [Fact]
    public void RejectsMissingPieces() => RejectsInfo(SingleInfo(("pieces", null)), "'pieces'");

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void RejectsTooManyPieceHashes(int pieces) =>
        RejectsInfo(SingleInfo(("pieces", new BString(new byte[20 * pieces]))), "hashes");

    [Fact]
    public void RejectsTooFewPieceHashes() =>
        RejectsInfo(SingleInfo(("length", Int((2 * PieceLength) + 1)), ("pieces", new BString(new byte[40]))), "need 3");

    [Fact]
    public void RejectsNegativeLengths()
    {
        RejectsInfo(SingleInfo(("length", Int(-1))), "negative length");
        RejectsFiles("negative length", File(10, "a"), File(-5, "b"));
    }

    [Fact]
    public void RejectsMissingLength()
    {
        RejectsInfo(SingleInfo(("length", null)), "'length'");
        RejectsFiles("'length'", BDictionary.From(("path", List(Str("a")))));
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData((1L << 50) + 1)]
    public void RejectsAbsurdFileLengths(long length) =>
        RejectsInfo(SingleInfo(("length", Int(length))), "length");

    [Fact]
    public void AcceptsTheLargestFileLibtorrentLoads()
    {
        const long largest = ((long)(int.MaxValue / 2) * 16 * 1024) - 1;
        var m = MetainfoParser.Parse(Torrent(SingleInfo(("length", Int(largest)), ("piece length", Int(int.MaxValue / 2)), ("pieces", Pieces(largest, int.MaxValue / 2)))));
        Assert.Equal(largest, m.TotalLength);
        RejectsInfo(SingleInfo(("length", Int(largest + 1))), "length");
    }

    [Fact]
    public void RejectsFileLengthsWhoseSumPassesLibtorrentsLimit()
    {
        // 2^48 - 1 bytes in all at most: 32 files of 2^43 bytes are one byte too many.
        var files = Enumerable.Range(0, 32).Select(i => (BValue)File(1L << 43, $"f{i:D2}")).ToArray();
        RejectsInfo(MultiInfo(files), "add up to more than");
    }

    [Fact]
    public void RejectsMorePiecesThanLibtorrentLoads()
    {
        RejectsInfo(SingleInfo(("length", Int(0x200000 + 1)), ("piece length", Int(1))), "more than the 2097152");

        // A .torrent that large passes libtorrent's 10 MB file limit; the metadata from peers (BEP 9) has no such limit.
        var info = BencodeWriter.Encode(SingleInfo(("length", Int(0x200000)), ("piece length", Int(1)), ("pieces", new BString(new byte[0x200000 * 20]))));
        Assert.Equal(0x200000, MetainfoParser.ParseInfoDictionary(info).PieceCount);
    }

    [Fact]
    public void RejectsATorrentFileLargerThanLibtorrentReads()
    {
        var torrent = Torrent(SingleInfo(), ("padding", new BString(new byte[10_000_000])));
        Rejects(torrent, "larger than the 10000000 bytes");
    }

    [Fact]
    public void RejectsEmptyContent()
    {
        RejectsInfo(SingleInfo(("length", Int(0))), "empty");
        RejectsFiles("empty", File(0, "a"), File(0, "b"));
    }

    [Fact]
    public void RejectsAnEmptyName() => RejectsInfo(SingleInfo(("name", Str(""))), "name is empty");

    [Fact]
    public void RejectsAMissingName() => RejectsInfo(SingleInfo(("name", null)), "'name'");

    /// <summary>A single file's name is its file name: libtorrent refuses one that sanitizes to nothing.</summary>
    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("/")]
    [InlineData("\u202e")]
    public void RejectsASingleFileNameThatIsNoFileName(string name) => RejectsInfo(SingleInfo(("name", Str(name))), "is not a file name");

    [Theory]
    [InlineData("a/b", "ab")]
    [InlineData("/etc", "etc")]
    [InlineData("../escape.bin", "..escape.bin")]
    [InlineData("a\\b", "ab")]
    [InlineData("a\0b", "ab")]
    [InlineData("C:", "C:")]
    [InlineData("c:evil", "c:evil")]
    [InlineData("line\nbreak", "line_break")]
    public void SanitizesASingleFileName(string name, string expected)
    {
        var m = MetainfoParser.Parse(Torrent(SingleInfo(("name", Str(name)))));
        Assert.Equal(expected, m.Name);
        Assert.Equal([expected], Assert.Single(m.Files).Path);
    }

    [Fact]
    public void RejectsAnEmptyFileList() => RejectsFiles("'files' is empty");

    [Fact]
    public void RejectsAFileWithoutPath()
    {
        RejectsFiles("path", File(10));
        RejectsFiles("path", BDictionary.From(("length", Int(10))));
        RejectsFiles("path", BDictionary.From(("length", Int(10)), ("path", Str("a"))));
    }

    [Fact]
    public void RejectsAnEntryThatIsNotADictionary() => RejectsFiles("not a dictionary", Str("a"));

    [Fact]
    public void RejectsAPathComponentThatIsNotAString() =>
        RejectsFiles("not a string", BDictionary.From(("length", Int(10)), ("path", List(Int(1)))));

    [Fact]
    public void HandlesDeepPathsAndSiblingFolders()
    {
        var deep = Enumerable.Repeat("d", 20_000).ToArray();
        var m = MetainfoParser.Parse(Torrent(MultiInfo([File(10, [.. deep, "x"]), File(10, [.. deep, "y"]), File(10, "d", "z"), File(10, "e")])));
        Assert.Equal(4, m.Files.Count);
        Assert.Equal(20_001, m.Files[1].Path.Count);

        // A file at a folder's path, and a second file at one path, are renamed whatever the depth.
        var clash = MetainfoParser.Parse(Torrent(MultiInfo([File(10, [.. deep, "x"]), File(10, deep[..5_000]), File(10, "e"), File(10, [.. deep, "x"])])));
        Assert.Equal([.. deep[..4_999], "d.1"], clash.Files[1].Path);
        Assert.Equal([.. deep, "x.1"], clash.Files[3].Path);
    }

    [Fact]
    public void IgnoresLengthBesideFiles()
    {
        var m = MetainfoParser.Parse(Torrent(MultiInfo([File(10, "a")], ("length", Int(99)))));
        Assert.True(m.IsMultiFile);
        Assert.Equal(10, m.TotalLength);
        Assert.Equal("a", Assert.Single(m.Files).JoinedPath);
    }

    [Fact]
    public void KeysAV2OnlyTorrentByItsTruncatedV2Hash()
    {
        var fileTree = BDictionary.From(("a.bin", BDictionary.From(("", BDictionary.From(("length", Int(1000)), ("pieces root", new BString(new byte[32])))))));
        var info = SingleInfo(("pieces", null), ("length", null), ("meta version", Int(2)), ("file tree", fileTree));
        var m = MetainfoParser.Parse(Torrent(info, ("piece layers", BDictionary.From())));
        var v2 = SHA256.HashData(BencodeWriter.Encode(info));
        Assert.Equal(v2, m.V2!.InfoHash.Span.ToArray());
        Assert.Equal(v2[..20], m.InfoHash.Span.ToArray());
        Assert.Equal(1, m.PieceCount);

        // libtorrent pads a v2 file to the piece boundary, the last one too: the piece is as long on the wire.
        Assert.Equal(16384, m.TotalLength);
        Assert.Equal([1000, 15384], m.Files.Select(f => f.Length));
    }

    [Fact]
    public void UsesAHybridTorrentAsV1()
    {
        var fileTree = BDictionary.From(("a.bin", BDictionary.From(("", BDictionary.From(("length", Int(1000)), ("pieces root", new BString(new byte[32])))))));
        var info = SingleInfo(("meta version", Int(2)), ("file tree", fileTree));
        var m = MetainfoParser.Parse(Torrent(info, ("piece layers", BDictionary.From())));
        Assert.Equal("a.bin", m.Name);
        Assert.Equal(1000, m.TotalLength);
        Assert.Equal(1, m.PieceCount);
        Assert.Equal(SHA1.HashData(BencodeWriter.Encode(info)), m.InfoHash.Span.ToArray());
    }

    [Fact]
    public void FlagsPaddingFilesAndLetsThemRepeat()
    {
        var m = MetainfoParser.Parse(Torrent(MultiInfo([
            File(1000, "a"),
            PadFile(PieceLength - 1000, ".pad", "15384"),
            File(PieceLength, "b"),
            PadFile(PieceLength - 1000, ".pad", "15384"),
            File(10, "c"),
        ])));
        Assert.Equal([false, true, false, true, false], m.Files.Select(f => f.IsPadding));
        Assert.Equal([0L, 1000L, PieceLength, 2L * PieceLength, (3L * PieceLength) - 1000], m.Files.Select(f => f.Offset));
        Assert.Equal((3L * PieceLength) - 990, m.TotalLength);
    }

    [Fact]
    public void PaddingFilesStillFollowPathRules()
    {
        var m = MetainfoParser.Parse(Torrent(MultiInfo([File(10, "a"), PadFile(10, "..", "x")])));
        Assert.Equal(["a", "x"], m.Files.Select(f => f.JoinedPath));
        Assert.True(m.Files[1].IsPadding);
    }

    [Fact]
    public void AnnounceListSupersedesAnnounce()
    {
        var tiers = List(List(Str("http://a/announce"), Str("http://b/announce")), List(Str("udp://c:80")));
        var m = MetainfoParser.Parse(Torrent(SingleInfo(), ("announce", Str("http://ignored/announce")), ("announce-list", tiers)));
        Assert.Equal(2, m.TrackerTiers.Count);
        Assert.Equal(["http://a/announce", "http://b/announce"], m.TrackerTiers[0]);
        Assert.Equal(["udp://c:80"], m.TrackerTiers[1]);
        Assert.DoesNotContain("http://ignored/announce", m.Trackers);
    }

    [Fact]
    public void FallsBackToAnnounceWhenAnnounceListIsEmptyOrAbsent()
    {
        var viaEmpty = MetainfoParser.Parse(Torrent(SingleInfo(), ("announce", Str("http://t/announce")), ("announce-list", List(List(), List(Str(""))))));
        Assert.Equal(["http://t/announce"], Assert.Single(viaEmpty.TrackerTiers));
        var plain = MetainfoParser.Parse(Torrent(SingleInfo(), ("announce", Str("http://t/announce"))));
        Assert.Equal(["http://t/announce"], plain.Trackers);
        var none = MetainfoParser.Parse(Torrent(SingleInfo(), ("announce", null)));
        Assert.Empty(none.TrackerTiers);
    }

    [Fact]
    public void ReadsThePrivateFlag()
    {
        Assert.True(MetainfoParser.Parse(Torrent(SingleInfo(("private", Int(1))))).IsPrivate);
        Assert.False(MetainfoParser.Parse(Torrent(SingleInfo(("private", Int(0))))).IsPrivate);
        Assert.False(MetainfoParser.Parse(Torrent(SingleInfo())).IsPrivate);
        // The flag belongs in the info dictionary; outside it is ignored.
        Assert.False(MetainfoParser.Parse(Torrent(SingleInfo(), ("private", Int(1)))).IsPrivate);
    }

    [Fact]
    public void ReadsCommentCreatorAndDate()
    {
        var m = MetainfoParser.Parse(Torrent(
            SingleInfo(),
            ("comment", Str("hello w\u00f6rld")),
            ("created by", Str("mktorrent 1.1")),
            ("creation date", Int(1_700_000_000))));
        Assert.Equal("hello w\u00f6rld", m.Comment);
        Assert.Equal("mktorrent 1.1", m.CreatedBy);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), m.CreationDate);

        var bare = MetainfoParser.Parse(Torrent(SingleInfo()));
        Assert.Null(bare.Comment);
        Assert.Null(bare.CreatedBy);
        Assert.Null(bare.CreationDate);
    }

    [Fact]
    public void IgnoresAnAbsurdCreationDate()
    {
        Assert.Null(MetainfoParser.Parse(Torrent(SingleInfo(), ("creation date", Int(long.MaxValue)))).CreationDate);
        Assert.Null(MetainfoParser.Parse(Torrent(SingleInfo(), ("creation date", Int(-5)))).CreationDate);
    }

    [Fact]
    public void InfoHashIsTheSha1OfTheOriginalInfoBytes()
    {
        var info = MultiInfo([File(10, "x"), File(20, "y", "z")], ("private", Int(1)), ("x-unknown", List(Str("kept"), Int(3))));
        var infoBytes = BencodeWriter.Encode(info);
        var torrent = Torrent(
            info,
            ("announce-list", List(List(Str("http://a/announce")))),
            ("comment", Str("c")),
            ("zzz", BDictionary.From(("nested", Int(1)))));
        var m = MetainfoParser.Parse(torrent);
        Assert.Equal(SHA1.HashData(infoBytes), m.InfoHash.Span.ToArray());
        Assert.Equal(infoBytes, m.InfoBytes);
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(infoBytes)), m.InfoHash.Hex);
    }

    [Fact]
    public void InfoHashCoversKeysTheParserDoesNotKnow()
    {
        var a = MetainfoParser.Parse(Torrent(SingleInfo()));
        var b = MetainfoParser.Parse(Torrent(SingleInfo(("source", Str("tracker-x")))));
        Assert.NotEqual(a.InfoHash, b.InfoHash);
    }

    [Fact]
    public void ParseInfoDictionaryChecksTheExpectedHash()
    {
        var infoBytes = BencodeWriter.Encode(SingleInfo());
        var hash = new InfoHash(SHA1.HashData(infoBytes));
        Assert.Equal(hash, MetainfoParser.ParseInfoDictionary(infoBytes, hash).InfoHash);
        var other = new InfoHash(new byte[20]);
        Assert.Contains("expected", Assert.Throws<InvalidTorrentException>(() => MetainfoParser.ParseInfoDictionary(infoBytes, other)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidTorrentException>(() => MetainfoParser.ParseInfoDictionary("le"u8));
    }

    [Fact]
    public void RejectsANonDictionaryRoot()
    {
        Rejects(BencodeWriter.Encode(List(Str("info"))), "not a dictionary");
        Rejects("i1e"u8.ToArray(), "not a dictionary");
        Rejects("4:spam"u8.ToArray(), "not a dictionary");
    }

    [Fact]
    public void RejectsAMissingOrMistypedInfo()
    {
        Rejects(BencodeWriter.Encode(BDictionary.From(("announce", Str("http://t/announce")))), "'info'");
        Rejects(BencodeWriter.Encode(BDictionary.From(("info", List()))), "'info'");
    }

    [Fact]
    public void RejectsATruncatedFile()
    {
        var torrent = Torrent(MultiInfo([File(10, "a"), File(20, "b")]));
        foreach (var cut in new[] { 0, 1, torrent.Length / 3, torrent.Length / 2, torrent.Length - 2, torrent.Length - 1 })
        {
            Rejects(torrent[..cut], "not a valid torrent file");
        }
    }

    [Fact]
    public void RejectsNonBencodeInput()
    {
        Rejects(Encoding.UTF8.GetBytes("<html>not found</html>"), "not a valid torrent file");
        Rejects([], "not a valid torrent file");
    }

    [Fact]
    public void IgnoresBytesAfterTheTorrentAsLibtorrentDoes()
    {
        var torrent = Torrent(SingleInfo());
        var m = MetainfoParser.Parse([.. torrent, .. "garbage"u8]);
        Assert.Equal(MetainfoParser.Parse(torrent).InfoHash, m.InfoHash);
    }

    [Fact]
    public void ErrorMessagesStayOnOneLineEvenWithHostileNames()
    {
        // Only dots, separators, NULs and direction overrides make a name libtorrent refuses; none may print raw.
        var e = RejectsInfo(SingleInfo(("name", Str(".\u202e\0."))), "is not a file name");
        Assert.DoesNotContain('\u202e', e.Message);
        Assert.DoesNotContain('\0', e.Message);
    }
}
