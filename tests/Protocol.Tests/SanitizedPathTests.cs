using System.Text;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Metainfo;
using Xunit;
using static Swarm.Protocol.Tests.BValues;
using static Swarm.Protocol.Tests.Craft;

namespace Swarm.Protocol.Tests;

/// <summary>One crafted torrent per sanitizing rule; every expected path is what python3-libtorrent 2.0.8's
/// torrent_info.files() gave for the same torrent (the end-to-end TorrentPathTests check that live).</summary>
public sealed class SanitizedPathTests
{
    private static TorrentMetainfo ParseFiles(params BValue[] files) => MetainfoParser.Parse(Torrent(MultiInfo(files)));

    private static string[] PathsOf(params BValue[] files) => [.. ParseFiles(files).Files.Select(f => f.JoinedPath)];

    private static BDictionary RawFile(long length, params byte[][] path) =>
        BDictionary.From(("length", Int(length)), ("path", new BList([.. path.Select(p => (BValue)new BString(p))])));

    private static BDictionary Symlink(string path, params string[] target) =>
        BDictionary.From(("attr", Str("l")), ("path", List(Str(path))), ("symlink path", new BList([.. target.Select(t => (BValue)Str(t))])));

    [Fact]
    public void DropsDotAndDotDotComponents() =>
        Assert.Equal(["escape.bin", "a", "b/c"], PathsOf(File(10, "..", "..", "escape.bin"), File(10, ".", "a"), File(10, "b", "..", "c")));

    [Fact]
    public void MakesAbsolutePathsRelative() =>
        Assert.Equal(["tmpxescape.bin", "etc/passwd", "C:Windows"], PathsOf(File(10, "/tmp/x/escape.bin"), File(10, "/etc", "passwd"), File(10, "C:\\Windows")));

    [Fact]
    public void DropsSeparatorsInsideAComponent() =>
        Assert.Equal(["ab/....x", "_"], PathsOf(File(10, "a\\b", "..\\..\\x"), File(10, "/")));

    [Fact]
    public void ReplacesControlCharactersButKeepsDelAndC1()
    {
        // libtorrent replaces C0 controls only; DEL and C1 (U+009B is CSI) stay in the name, so printing must escape them.
        Assert.Equal(["a_b_[31m\u007f\u009b.txt", "tab_"], PathsOf(File(10, "a\u0001b\u001b[31m\u007f\u009b.txt"), File(10, "tab\t")));
    }

    [Fact]
    public void DropsNulAndWritingDirectionOverrides() =>
        Assert.Equal(["ab", "eviltxt.exe", "_"], PathsOf(File(10, "a\0b"), File(10, "evil\u202etxt.exe"), File(10, "\u200e\u200f")));

    [Fact]
    public void ReplacesEmptyComponentsAndPathsThatVanish() =>
        Assert.Equal(["_/a/_", "_.1", "b"], PathsOf(File(10, "", "a", ""), File(10, "..", "."), File(10, "b"))); // "_" is a folder already

    [Fact]
    public void ReplacesInvalidUtf8SequenceBySequence()
    {
        var m = ParseFiles(RawFile(
            10,
            [.. "caf"u8, 0xe9, .. ".txt"u8], // a 3-byte lead takes ".t" with it
            [0xff, 0xfe],
            [0xc0, 0xaf], // overlong '/'
            [0xed, 0xa0, 0x80, (byte)'x'], // a UTF-16 surrogate
            [0xf8, 0x88, 0x80, 0x80, 0x80, (byte)'y'], // a 5-byte form
            [.. "ab"u8, 0xe2, 0x82])); // cut short
        Assert.Equal("caf_xt/__/_/_x/_y/ab_", Assert.Single(m.Files).JoinedPath);
    }

    [Fact]
    public void PrefersUtf8PathsOnlyWhenTheyAreLists()
    {
        var listed = BDictionary.From(("length", Int(10)), ("path", List(Str("a"))), ("path.utf-8", Str("not a list")));
        Assert.Equal(["a"], PathsOf(listed));
        var empty = BDictionary.From(("length", Int(10)), ("path", List(Str("a"))), ("path.utf-8", List()));
        Assert.Contains("'path'", Assert.Throws<InvalidTorrentException>(() => ParseFiles(empty)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortensComponentsOver240BytesKeepingTheExtension()
    {
        var paths = PathsOf(
            File(10, new string('x', 300) + ".mkv"),
            File(10, new string('y', 300)),
            File(10, new string('\u00e9', 200) + ".txt"),
            File(10, new string('w', 245) + ".abcdefghij"),
            File(10, new string('z', 238) + new string('\u0001', 10) + ".ext"),
            File(10, new string('v', 250) + ".a.b"));
        Assert.Equal(
            [
                new string('x', 240) + ".mkv",
                new string('y', 240),
                new string('\u00e9', 120) + ".txt",
                new string('w', 240), // the dot is too far from the end to be an extension
                new string('z', 238) + new string('_', 10) + ".",
                new string('v', 240) + ".b",
            ],
            paths);
        Assert.All(paths, p => Assert.InRange(Encoding.UTF8.GetByteCount(p), 1, 255));
    }

    [Fact]
    public void RenamesDuplicatePathsIgnoringAsciiCase() =>
        Assert.Equal(
            ["a.txt", "A.1.TXT", "a.2.txt", "a.1.1.txt", "sub.1", "sub/x", "noext", "noext.1", ".hidden", ".1.hidden"],
            PathsOf(
                File(10, "a.txt"),
                File(10, "A.TXT"),
                File(10, "a.txt"),
                File(10, "a.1.txt"),
                File(10, "sub"),
                File(10, "sub", "x"),
                File(10, "noext"),
                File(10, "noext"),
                File(10, ".hidden"),
                File(10, ".hidden")));

    [Fact]
    public void RenamedPathsTakeTheNextFreeNumber() =>
        Assert.Equal(["a", "a.1", "a.2", "A.3", "a.1.2"], PathsOf(File(1, "a"), File(1, "a.1"), File(1, "a"), File(1, "A"), File(1, "a.2")));

    [Fact]
    public void ComparesOnlyAsciiLettersCaseBlind() =>
        Assert.Equal(
            ["\u00c9.txt", "\u00e9.txt", "Stra\u00dfe", "STRASSE", "stra\u00dfe.1"],
            PathsOf(File(10, "\u00c9.txt"), File(10, "\u00e9.txt"), File(10, "Stra\u00dfe"), File(10, "STRASSE"), File(10, "stra\u00dfe")));

    [Fact]
    public void RenamesAFileThatIsAlsoAFolderWhereverItComes() =>
        Assert.Equal(["a/b/c", "a/b.1", "a.1"], PathsOf(File(10, "a", "b", "c"), File(10, "a", "b"), File(10, "a")));

    [Fact]
    public void KeepsAnUnorderedFileList()
    {
        var m = ParseFiles(File(10, "z", "x"), File(20, "a"), File(30, "z", "a"), File(40, "m", "n", "o"), File(50, "b"));
        Assert.Equal(["z/x", "a", "z/a", "m/n/o", "b"], m.Files.Select(f => f.JoinedPath));
        Assert.Equal([0L, 10L, 30L, 60L, 100L], m.Files.Select(f => f.Offset));
    }

    [Fact]
    public void PaddingFilesOfOneLengthMayShareAPathOthersAreRenamed()
    {
        var m = ParseFiles(
            File(1000, "a"),
            PadFile(PieceLength - 1000, ".pad", "15384"),
            File(PieceLength, "b"),
            PadFile(PieceLength - 1000, ".pad", "15384"),
            File(10, "c"),
            PadFile(5, ".pad", "15384"),
            File(10, ".pad", "15384"));
        Assert.Equal(["a", ".pad/15384", "b", ".pad/15384", "c", ".pad/15384.1", ".pad/15384.2"], m.Files.Select(f => f.JoinedPath));
        Assert.Equal([false, true, false, true, false, true, false], m.Files.Select(f => f.IsPadding));
    }

    [Fact]
    public void APaddingFileWithoutPathLivesOutsideTheTorrentsFolder()
    {
        // libtorrent files it as ".pad/<length>" beside the folder: it clashes with no file, but ".pad" is a folder.
        var noPath = BDictionary.From(("attr", Str("p")), ("length", Int(PieceLength - 1000)));
        var m = ParseFiles(File(1000, "a"), noPath, File(10, ".pad", "15384"), File(10, ".pad"));
        Assert.Equal(["a", ".pad/15384", ".pad/15384", ".1.pad"], m.Files.Select(f => f.JoinedPath));
        Assert.True(m.Files[1].IsPadding);
        Assert.False(m.Files[2].IsPadding);
    }

    [Fact]
    public void KnowsBitCometPaddingFilesByName()
    {
        var m = ParseFiles(File(1000, "a"), File(100, "_____padding_file_0_"), File(10, "b"));
        Assert.Equal([false, true, false], m.Files.Select(f => f.IsPadding));
    }

    [Fact]
    public void SymlinksPointOnlyInsideTheTorrent()
    {
        var m = ParseFiles(
            File(10, "d", "f"),
            Symlink("link", "d", "f"),
            Symlink("out", "..", "..", "etc", "passwd"),
            Symlink("abs", "/etc/passwd"),
            Symlink("dirlink", "d"),
            BDictionary.From(("attr", Str("l")), ("path", List(Str("d"), Str("rel"))), ("symlink path", List(Str("f")))),
            BDictionary.From(("attr", Str("l")), ("path", List(Str("nolinkpath")))),
            BDictionary.From(("attr", Str("l")), ("length", Int(7)), ("path", List(Str("x"))), ("symlink path", List(Str("d"), Str("f")))));
        Assert.Equal(["d/f", "link", "out", "abs", "dirlink", "d/rel", "nolinkpath", "x"], m.Files.Select(f => f.JoinedPath));

        // Targets outside the torrent point to the link itself; a symlink without a target is an empty file.
        Assert.Equal(
            [null, "d/f", "out", "abs", "d", "d/f", null, "d/f"],
            m.Files.Select(f => f.SymlinkTarget is null ? null : string.Join('/', f.SymlinkTarget)));
        Assert.Equal([10L, 0, 0, 0, 0, 0, 0, 0], m.Files.Select(f => f.Length));
        Assert.Equal(10, m.TotalLength);
    }

    [Fact]
    public void SymlinksMayGoThroughOtherLinksButNotInALoop()
    {
        var m = ParseFiles(
            File(10, "d", "f"),
            Symlink("l1", "l2", "f"),
            Symlink("l2", "d"),
            Symlink("loop1", "loop2", "x"),
            Symlink("loop2", "loop1", "x"));
        Assert.Equal(
            [null, "l2/f", "d", "loop1", "loop2"],
            m.Files.Select(f => f.SymlinkTarget is null ? null : string.Join('/', f.SymlinkTarget)));
    }

    [Fact]
    public void SymlinkTargetsAreCheckedBeforeDuplicatesAreRenamed()
    {
        var m = ParseFiles(File(10, "d", "f"), Symlink("d", "d", "f"), Symlink("l", "d"), Symlink("l", "l"));
        Assert.Equal(["d/f", "d.1", "l", "l.1"], m.Files.Select(f => f.JoinedPath));
        Assert.Equal(
            [null, "d/f", "d", "l"],
            m.Files.Select(f => f.SymlinkTarget is null ? null : string.Join('/', f.SymlinkTarget)));
    }

    [Fact]
    public void ASymlinkWhoseTargetVanishesIsAnEmptyFile()
    {
        var m = ParseFiles(File(10, "a"), Symlink("l", "..", "."), Symlink("m"), Symlink("n", "a"));
        Assert.Equal([false, false, false, true], m.Files.Select(f => f.IsSymlink));
    }

    [Fact]
    public void ALoneSymlinkIsAnEmptyTorrent() =>
        Assert.Contains("empty", Assert.Throws<InvalidTorrentException>(() => MetainfoParser.Parse(Torrent(SingleInfo(("attr", Str("l")))))).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("/")]
    public void AFolderNameThatVanishesBecomesTheInfoHash(string name)
    {
        var m = MetainfoParser.Parse(Torrent(MultiInfo([File(10, "a")], ("name", Str(name)))));
        Assert.Equal(m.InfoHash.Hex, m.Name);
    }

    [Theory]
    [InlineData("", "_")]
    [InlineData("a/../b", "a..b")]
    [InlineData("\u001b]0;title\u0007", "_]0;title_")]
    public void SanitizesAFolderName(string name, string expected) =>
        Assert.Equal(expected, MetainfoParser.Parse(Torrent(MultiInfo([File(10, "a")], ("name", Str(name))))).Name);

    [Fact]
    public void PrefersAUtf8NameEvenIfItNeedsSanitizing()
    {
        var m = MetainfoParser.Parse(Torrent(SingleInfo(("name", Str("good")), ("name.utf-8", Str("../better")))));
        Assert.Equal("..better", m.Name);
    }

    [Fact]
    public void ManyDuplicatesTakeNoLongerThanDistinctNames()
    {
        // libtorrent tries .1, .2, ... from 1 for every clash: quadratic, minutes for 50,000 clashes. Resuming per stem
        // keeps it linear, so clashing names parse about as fast as distinct ones (both timed here, on one machine).
        const int count = 50_000;
        var distinct = Torrent(MultiInfo(Enumerable.Range(0, count).Select(i => (BValue)File(1, $"a{i}.bin"))));
        var clashing = Torrent(MultiInfo(Enumerable.Range(0, count).Select(_ => (BValue)File(1, "a.bin"))));
        MetainfoParser.Parse(distinct); // warm up
        var watch = System.Diagnostics.Stopwatch.StartNew();
        MetainfoParser.Parse(distinct);
        var distinctTime = watch.Elapsed;
        watch.Restart();
        var m = MetainfoParser.Parse(clashing);
        var clashingTime = watch.Elapsed;

        Assert.Equal($"a.{count - 1}.bin", m.Files[^1].JoinedPath);
        Assert.Equal(count, m.Files.Select(f => f.JoinedPath).Distinct().Count());
        Assert.True(clashingTime < (distinctTime * 5) + TimeSpan.FromSeconds(2), $"{count} clashes took {clashingTime}, distinct names {distinctTime}");
    }
}
