using Swarm.Protocol.Metainfo;
using Swarm.Protocol.WebSeeds;
using Xunit;

namespace Swarm.Protocol.Tests.WebSeeds;

/// <summary>BEP 19's mapping from a seed URL to each file's URL, path components percent-encoded one by one.</summary>
public sealed class WebSeedUrlsTests
{
    private static TorrentMetainfo Meta(string name, bool multi, params (string[] Path, long Length)[] files)
    {
        long offset = 0;
        var list = new List<TorrentFile>();
        foreach (var (path, length) in files)
        {
            list.Add(new TorrentFile(path, length, offset, false));
            offset += length;
        }

        return new TorrentMetainfo(new InfoHash(new byte[20]), name, 16384, new byte[20], list, multi, [], false, null, null, null, []);
    }

    [Fact]
    public void SingleFileUrlIsTheFileUnlessItEndsInASlash()
    {
        var m = Meta("a b.iso", false, (["a b.iso"], 10));
        Assert.Equal("http://m.example/pub/other-name.iso", WebSeedUrls.FileUrl("http://m.example/pub/other-name.iso", m, m.Files[0]));
        Assert.Equal("http://m.example/pub/a%20b.iso", WebSeedUrls.FileUrl("http://m.example/pub/", m, m.Files[0]));
    }

    [Fact]
    public void MultiFileUrlIsSeedThenNameThenPathEachComponentEncoded()
    {
        var m = Meta("Mes données", true, (["dir one", "süß #1?.txt"], 10), (["100%", "日本.bin"], 5));
        Assert.Equal("https://m.example/root/Mes%20donn%C3%A9es/dir%20one/s%C3%BC%C3%9F%20%231%3F.txt", WebSeedUrls.FileUrl("https://m.example/root/", m, m.Files[0]));
        // Without the trailing slash the URL still names the folder above the torrent's.
        Assert.Equal("https://m.example/root/Mes%20donn%C3%A9es/100%25/%E6%97%A5%E6%9C%AC.bin", WebSeedUrls.FileUrl("https://m.example/root", m, m.Files[1]));
    }

    [Fact]
    public void EncodedUrlsDecodeBackToThePath()
    {
        var m = Meta("n", true, (["a+b", "c&d=e", "~f_g-h.i"], 1));
        var url = new Uri(WebSeedUrls.FileUrl("http://h/", m, m.Files[0]));
        Assert.Equal(["/", "n/", "a+b/", "c&d=e/", "~f_g-h.i"], url.Segments.Select(Uri.UnescapeDataString));
    }
}
