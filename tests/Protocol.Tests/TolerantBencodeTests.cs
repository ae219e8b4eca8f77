using System.Security.Cryptography;
using System.Text;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Metainfo;
using Xunit;
using static Swarm.Protocol.Tests.BValues;
using static Swarm.Protocol.Tests.Craft;

namespace Swarm.Protocol.Tests;

/// <summary>.torrent files are read as libtorrent 2.0's bdecode reads them; each case here was checked against
/// python3-libtorrent 2.0.8.</summary>
public sealed class TolerantBencodeTests
{
    private const string Pieces20 = "6:pieces20:\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static BValue Decode(string text) => TolerantBencodeReader.Decode(Latin1(text));

    /// <summary>A single-file torrent whose info dictionary is written by hand.</summary>
    private static byte[] TorrentWithInfo(string info, string after = "") => Latin1($"d4:info{info}{after}e");

    [Theory]
    [InlineData("i007e", 7)]
    [InlineData("i-0e", 0)]
    [InlineData("i-012e", -12)]
    [InlineData("i99999999999999999999e", 0)] // 20 digits past long.MaxValue: libtorrent reads 0
    [InlineData("i9223372036854775807e", long.MaxValue)]
    public void ReadsIntegersAsLibtorrentDoes(string text, long expected) =>
        Assert.Equal(expected, Assert.IsType<BInteger>(Decode(text)).Value);

    [Theory]
    [InlineData("ie")]
    [InlineData("i-e")]
    [InlineData("i1")]
    [InlineData("i1.5e")]
    [InlineData("i123456789012345678901e")]
    [InlineData("-1:a")]
    [InlineData("5:abc")]
    [InlineData("3abc")]
    [InlineData("d1:ae")]
    [InlineData("di1e1:ae")]
    [InlineData("l")]
    [InlineData("")]
    [InlineData("x")]
    public void RefusesWhatLibtorrentRefuses(string text) => Assert.Throws<BencodeException>(() => Decode(text));

    [Fact]
    public void AcceptsLeadingZerosInStringLengths() =>
        Assert.Equal("abc", Assert.IsType<BString>(Decode("003:abc")).Text);

    [Fact]
    public void AcceptsUnsortedKeysAndKeepsTheFirstOfDuplicates()
    {
        var d = Assert.IsType<BDictionary>(Decode("d1:bi1e1:ai2e1:bi3ee"));
        Assert.Equal(1, Assert.IsType<BInteger>(d["b"]).Value);
        Assert.Equal(2, Assert.IsType<BInteger>(d["a"]).Value);
    }

    [Fact]
    public void IgnoresBytesAfterTheValue()
    {
        var v = Assert.IsType<BList>(Decode("li1eeTRAILING"));
        Assert.Equal((0, 5), (v.SourceOffset, v.SourceLength));
    }

    [Fact]
    public void LoadsANonCanonicalTorrentHashingItsBytesAsWritten()
    {
        var info = $"d4:name1:a4:name1:b6:lengthi010e12:piece lengthi16384e{Pieces20}e";
        var m = MetainfoParser.Parse(TorrentWithInfo(info, "8:announce3:xyz"));
        Assert.Equal("a", m.Name);
        Assert.Equal(10, m.TotalLength);
        Assert.Equal(SHA1.HashData(Latin1(info)), m.InfoHash.Span.ToArray());
    }

    [Fact]
    public void AHybridTorrentMustBeCanonical()
    {
        var fileTree = BDictionary.From(("a.bin", BDictionary.From(("", BDictionary.From(("length", Int(1000)), ("pieces root", new BString(new byte[32])))))));
        var info = Encoding.Latin1.GetString(BencodeWriter.Encode(SingleInfo(("meta version", Int(2)), ("file tree", fileTree))));
        Assert.Equal(1000, MetainfoParser.Parse(TorrentWithInfo(info)).TotalLength);

        var unsorted = "d4:name5:a.bin" + info[1..];
        var e = Assert.Throws<InvalidTorrentException>(() => MetainfoParser.Parse(TorrentWithInfo(unsorted)));
        Assert.Contains("canonical", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllowsFewerThanOneHundredNestedContainers()
    {
        // The root dictionary and 98 lists make 99: libtorrent's limit. One more is refused.
        var info = $"d6:lengthi10e4:name1:a12:piece lengthi16384e{Pieces20}e";
        MetainfoParser.Parse(TorrentWithInfo(info, "1:x" + new string('l', 98) + new string('e', 98)));
        var e = Assert.Throws<InvalidTorrentException>(() => MetainfoParser.Parse(TorrentWithInfo(info, "1:x" + new string('l', 99) + new string('e', 99))));
        Assert.Contains("nesting", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CountsTokensAsLibtorrentDoesEndsIncluded()
    {
        // 16 tokens around 1,499,992 empty lists make libtorrent's 3,000,000 exactly.
        var info = $"d6:lengthi10e4:name1:a12:piece lengthi16384e{Pieces20}e";
        static string Lists(int n) => "1:xl" + new StringBuilder(2 * n).Insert(0, "le", n) + "e";
        MetainfoParser.Parse(TorrentWithInfo(info, Lists(1_499_992)));
        var e = Assert.Throws<InvalidTorrentException>(() => MetainfoParser.Parse(TorrentWithInfo(info, Lists(1_499_993))));
        Assert.Contains("3000000 tokens", e.Message, StringComparison.Ordinal);
    }
}
