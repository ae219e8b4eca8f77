using System.Security.Cryptography;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Tests.WebSeeds;

/// <summary>A node downloading a torrent whose only source is web seeds on a real loopback HTTP server: an honest seed
/// completes it byte-exact (multi-file, names with spaces and non-ASCII); a seed serving wrong bytes is banned through
/// the torrent's peer reputation and never asked again.</summary>
public sealed class WebSeedTorrentTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Ask = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_torrent_whose_only_source_is_a_web_seed_downloads_completely()
    {
        using var server = new TestHttpServer();
        using var folder = new TestTorrent(1, 1 << 14);
        var (meta, files) = MultiFile(server, "Das Paket");
        var (node, _) = TestNodes.Start(Sys, "node");
        var dir = folder.NewDir("down");
        Assert.IsType<TorrentAccepted>(await node.Ask(new AddTorrent(meta with { WebSeeds = [server.BaseUrl] }, dir, new TorrentOptions()), Ask));

        var done = await TestNodes.AwaitStatus(node, meta.InfoHash.Hex, s => s.State == TorrentState.Seeding, Wait, Ask);
        foreach (var (path, content) in files)
        {
            Assert.Equal(SHA256.HashData(content), SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(dir, "Das Paket", path))));
        }

        Assert.Equal(0, done.HashFailures);
        Assert.True(done.Downloaded >= meta.TotalLength, $"downloaded {done.Downloaded} of {meta.TotalLength}");
    }

    [Fact]
    public async Task A_web_seed_sending_wrong_bytes_is_banned_like_a_peer()
    {
        using var server = new TestHttpServer();
        using var folder = new TestTorrent(1, 1 << 14);
        var (meta, _) = MultiFile(server, "Lies");
        server.Answer = r => server.Honest(r) is var honest && honest.Length > 200 ? Flip(honest) : null;
        var (node, _) = TestNodes.Start(Sys, "node");
        Assert.IsType<TorrentAccepted>(await node.Ask(new AddTorrent(meta with { WebSeeds = [server.BaseUrl] }, folder.NewDir("down"), new TorrentOptions()), Ask));

        var banned = await TestNodes.AwaitStatus(node, meta.InfoHash.Hex, s => s.WebSeeds.Any(w => w.State == "banned"), Wait, Ask);
        var seed = Assert.Single(banned.WebSeeds);
        Assert.Equal(server.BaseUrl, seed.Url);
        Assert.Contains("failed the hash check", seed.Error, StringComparison.Ordinal);
        Assert.True(banned.HashFailures >= TestNodes.Settings.Storage.HashFailuresBeforeBan);
        Assert.Equal(1, banned.BannedPeers);
        Assert.Equal(TorrentState.Downloading, banned.State);

        // Banned: never asked again (a pause and resume restarts networking, not the banned seed).
        var requests = server.Requests;
        node.Tell(new ForTorrent(meta.InfoHash.Hex, new TorrentMessages.Pause()));
        node.Tell(new ForTorrent(meta.InfoHash.Hex, new TorrentMessages.Resume()));
        var after = await TestNodes.AwaitStatus(node, meta.InfoHash.Hex, s => s.State == TorrentState.Downloading, Wait, Ask);
        Assert.Equal("banned", Assert.Single(after.WebSeeds).State);
        Assert.Equal(requests, server.Requests);
    }

    [Fact]
    public async Task A_pause_and_resume_starts_the_web_seeds_again_at_once()
    {
        using var server = new TestHttpServer();
        using var folder = new TestTorrent(1, 1 << 14);
        var (meta, _) = MultiFile(server, "Gone");
        server.Answer = _ => TestHttpServer.Status(404, "Not Found");
        // A backoff far longer than the test: only a fresh seed asks the server again.
        var settings = TestNodes.Settings with { WebSeeds = TestNodes.Settings.WebSeeds with { BackoffInitial = TimeSpan.FromHours(1), BackoffMax = TimeSpan.FromHours(2) } };
        var (node, _, _) = TestNodes.Start(Sys, "node", settings);
        var hash = meta.InfoHash.Hex;
        Assert.IsType<TorrentAccepted>(await node.Ask(new AddTorrent(meta with { WebSeeds = [server.BaseUrl] }, folder.NewDir("down"), new TorrentOptions()), Ask));
        var waiting = await TestNodes.AwaitStatus(node, hash, s => s.WebSeeds.Any(w => w.State == "backing off"), Wait, Ask);
        Assert.Contains("404", Assert.Single(waiting.WebSeeds).Error, StringComparison.Ordinal);
        Assert.Equal(1, server.Requests);

        node.Tell(new ForTorrent(hash, new TorrentMessages.Pause()));
        await TestNodes.AwaitStatus(node, hash, s => s.State == TorrentState.Paused && s.WebSeeds.Count == 0, Wait, Ask);
        node.Tell(new ForTorrent(hash, new TorrentMessages.Resume()));
        await AwaitConditionAsync(() => Task.FromResult(server.Requests >= 2), Wait);
        Assert.Single((await TestNodes.AwaitStatus(node, hash, s => s.WebSeeds.Count == 1, Wait, Ask)).WebSeeds);
    }

    /// <summary>The last byte of a response's body changed: headers honest, data wrong.</summary>
    private static byte[] Flip(byte[] response)
    {
        var copy = response.ToArray();
        copy[^1] ^= 0xFF;
        return copy;
    }

    /// <summary>Three files (names with spaces and non-ASCII) of random content in 16 KiB pieces, served by
    /// <paramref name="server"/> under /NAME/PATH.</summary>
    private static (TorrentMetainfo Meta, IReadOnlyList<(string Path, byte[] Content)> Files) MultiFile(TestHttpServer server, string name)
    {
        var random = new Random(11);
        (string[] Path, int Length)[] layout = [(["a dir", "été 1.bin"], 70_000), (["b+c#.bin"], 5_000), (["z", "日本.dat"], 100_001)];
        var files = layout.Select(f =>
        {
            var content = new byte[f.Length];
            random.NextBytes(content);
            return (Path: f.Path, Content: content);
        }).ToList();
        var all = files.SelectMany(f => f.Content).ToArray();
        const int pieceLength = 1 << 14;
        var bytes = TorrentBuilder.Create(name, [.. files.Select(f => new TorrentBuildFile(f.Path, f.Content.Length))], isFolder: true, pieceLength, TorrentBuilder.HashPieces(all, pieceLength), new TorrentBuildOptions([]));
        foreach (var (path, content) in files)
        {
            server.Serve($"/{name}/{string.Join('/', path)}", content);
        }

        return (MetainfoParser.Parse(bytes), [.. files.Select(f => (Path.Combine(f.Path), f.Content))]);
    }
}
