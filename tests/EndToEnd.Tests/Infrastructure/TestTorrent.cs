using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>A generated payload and the mktorrent torrent describing it.</summary>
public sealed record TestTorrent(Content Content, string TorrentPath, Metainfo Metainfo)
{
    public string InfoHash => Metainfo.InfoHash;

    /// <summary>Creates the payload under <c>dir/source</c> and the torrent as <c>dir/NAME.torrent</c>.</summary>
    public static async Task<TestTorrent> CreateAsync(
        string dir,
        PayloadKind kind,
        ITestOutputHelper log,
        string? announce = null,
        int seed = 1)
    {
        var content = Payload.Create(kind, Path.Combine(dir, "source"), seed);
        var torrent = Path.Combine(dir, $"{content.Name}.torrent");
        var metainfo = await MkTorrent.CreateAsync(content.Path, torrent, log, announce);
        return new TestTorrent(content, torrent, metainfo);
    }

    /// <summary>Asserts that <paramref name="downloadDir"/> holds the content, byte for byte.</summary>
    public void AssertDownloadedTo(string downloadDir) =>
        TreeHash.AssertSame(Content.Path, Path.Combine(downloadDir, Content.Name));
}
