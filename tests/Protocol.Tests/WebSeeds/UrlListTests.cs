using System.Text;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.WebSeeds;
using Xunit;

namespace Swarm.Protocol.Tests.WebSeeds;

/// <summary>BEP 19 `url-list`: read from torrents, written by `torrent create --web-seed` as mktorrent -w writes it.</summary>
public sealed class UrlListTests
{
    private static TorrentMetainfo ParseWith(BValue? urlList)
    {
        var root = BDictionary.From(("announce", new BString("http://t/a")), ("info", Craft.SingleInfo()), ("url-list", urlList));
        return MetainfoParser.Parse(BencodeWriter.Encode(root));
    }

    [Fact]
    public void OneStringIsOneSeed()
    {
        var m = ParseWith(new BString("http://mirror.example/a.bin"));
        Assert.Equal(["http://mirror.example/a.bin"], m.WebSeeds);
        Assert.Empty(m.WebSeedsDropped);
    }

    [Fact]
    public void AListKeepsHttpAndHttpsAndDropsTheRestWithReasons()
    {
        var m = ParseWith(BValues.List(
            BValues.Str("https://a.example/files/"),
            BValues.Str("ftp://b.example/a.bin"),
            BValues.Int(7),
            BValues.Str("not a url"),
            BValues.Str("/relative/path"),
            BValues.Str("http://c.example/a.bin"),
            BValues.Str("http://c.example/a.bin"),
            BValues.Str("")));
        Assert.Equal(["https://a.example/files/", "http://c.example/a.bin"], m.WebSeeds);
        Assert.Equal(5, m.WebSeedsDropped.Count);
        Assert.Contains(m.WebSeedsDropped, d => d.Contains("scheme 'ftp'", StringComparison.Ordinal));
        Assert.Contains(m.WebSeedsDropped, d => d.Contains("not a string", StringComparison.Ordinal));
        Assert.Contains(m.WebSeedsDropped, d => d.Contains("listed twice", StringComparison.Ordinal));
    }

    [Fact]
    public void CountAndLengthAreBounded()
    {
        var many = Enumerable.Range(0, UrlList.MaxSeeds + 5).Select(i => (BValue)BValues.Str($"http://m{i}.example/")).ToArray();
        var m = ParseWith(BValues.List(many));
        Assert.Equal(UrlList.MaxSeeds, m.WebSeeds.Count);
        Assert.Equal(5, m.WebSeedsDropped.Count);

        var longUrl = "http://x.example/" + new string('a', UrlList.MaxUrlLength);
        var l = ParseWith(BValues.Str(longUrl));
        Assert.Empty(l.WebSeeds);
        Assert.Contains("longer than", Assert.Single(l.WebSeedsDropped), StringComparison.Ordinal);
    }

    [Fact]
    public void AWrongTypeOrNoUrlListLoadsTheTorrentWithoutSeeds()
    {
        Assert.Empty(ParseWith(null).WebSeeds);
        var m = ParseWith(BValues.Int(3));
        Assert.Empty(m.WebSeeds);
        Assert.Single(m.WebSeedsDropped);
    }

    [Fact]
    public void CreateWritesAStringForOneSeedAndAListForSeveralLikeMktorrent()
    {
        var content = new byte[1000];
        var one = TorrentBuilder.Create("f", content, new TorrentBuildOptions([]) { WebSeeds = ["http://a/x"] });
        // mktorrent 1.1 -w http://a/x: the url-list key after info, as a string.
        Assert.EndsWith("e8:url-list10:http://a/xe", Encoding.Latin1.GetString(one), StringComparison.Ordinal);
        Assert.Equal(["http://a/x"], MetainfoParser.Parse(one).WebSeeds);

        var two = TorrentBuilder.Create("f", content, new TorrentBuildOptions([]) { WebSeeds = ["http://a/x", "http://b/y"] });
        Assert.EndsWith("e8:url-listl10:http://a/x10:http://b/yee", Encoding.Latin1.GetString(two), StringComparison.Ordinal);
        Assert.Equal(["http://a/x", "http://b/y"], MetainfoParser.Parse(two).WebSeeds);

        var none = TorrentBuilder.Create("f", content, new TorrentBuildOptions([]));
        Assert.DoesNotContain("url-list", Encoding.Latin1.GetString(none), StringComparison.Ordinal);
    }

    [Fact]
    public void CreateRefusesAnUnusableSeed()
    {
        var e = Assert.Throws<ArgumentException>(() => TorrentBuilder.Create("f", new byte[10], new TorrentBuildOptions([]) { WebSeeds = ["ftp://a/x"] }));
        Assert.Contains("ftp", e.Message, StringComparison.Ordinal);
    }
}
