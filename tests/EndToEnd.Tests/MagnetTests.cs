using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Magnet links (BEP 9 metadata exchange over BEP 10) with real clients, both ways.</summary>
public sealed class MagnetTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Swarm_downloads_from_a_magnet_link_with_libtorrent_serving_the_metadata(PayloadKind kind)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort));
        var magnet = await MagnetOf(torrent);

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, magnet, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Libtorrent_downloads_from_a_magnet_link_with_swarm_serving_the_metadata()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGet(Log, await MagnetOf(torrent), outDir, FreePort.Next(), SwarmCli.Peer(seedPort)));
        await Libtorrent.WaitForCompleteAsync(leecher);
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Aria2_downloads_from_a_magnet_link_with_swarm_found_through_the_tracker()
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(PayloadKind.SingleFile);
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);
        await tracker.WaitForSeederAsync(torrent.InfoHash);

        // The link carries the tracker (tr=), from the torrent: aria2 finds swarm there and asks it for the metadata.
        var magnet = await MagnetOf(torrent);
        Assert.Contains("&tr=", magnet);
        var outDir = Dir.Sub("out");
        var leecher = Own(Aria2.StartGet(Log, Dir.Sub("aria2"), magnet, outDir, FreePort.Next()));
        await Aria2.WaitForCompleteAsync(leecher);
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Bad_magnet_links_and_links_nobody_serves_get_one_clear_line()
    {
        var invalid = await SwarmCli.RunAsync(Log, Timeouts.Reject, "get", "magnet:?xt=urn:btih:1234", "-o", Dir.Sub("a"), "--data-dir", StateDir("a"), "--port", "0");
        Assertions.CleanRejection(invalid, expectedExitCode: 2);
        Assert.Contains("invalid magnet link", invalid.StderrText);

        // A valid link whose only peer serves nothing: the node gives up after its metadata timeout, naming the peer.
        var config = Path.Combine(Dir.Path, "short.conf");
        await File.WriteAllTextAsync(config, "swarm.magnet.metadata-timeout = 4s\n");
        var deadPeer = SwarmCli.Peer(FreePort.Next());
        var nobody = await SwarmCli.RunAsync(
            Log, Timeouts.Start, "get", $"magnet:?xt=urn:btih:{new string('a', 40)}", "-o", Dir.Sub("b"), "--data-dir", StateDir("b"), "--port", "0", "--bind", SwarmCli.Loopback, "--peer", deadPeer, "--config", config);
        Assert.Equal(1, nobody.ExitCode);
        Assert.Contains(nobody.Stderr, l => l.Contains("no peer gave the metadata", StringComparison.Ordinal) && l.Contains(deadPeer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_magnet_added_from_the_console_is_listed_at_once_survives_kill_9_and_downloads_once_a_peer_serves_it()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        // The link names its peer, which is not there yet.
        var seedPort = FreePort.Next();
        var magnet = $"{await MagnetOf(torrent)}&x.pe=127.0.0.1:{seedPort}";
        var state = StateDir("node");
        var outDir = Dir.Sub("out");
        var node = Own(await SwarmNodeProcess.StartAsync(Log, state));

        Assert.Contains("fetching its metadata", (await node.ConsoleAsync("add", magnet, "-o", outDir)).EnsureSuccess().StdoutText);
        var pending = await node.WaitForStateAsync(torrent.InfoHash, "metadata", Settle);
        Assert.Equal(0, pending.GetProperty("size").GetInt64());
        var pause = await node.ConsoleAsync("pause", torrent.InfoHash[..8]);
        Assertions.CleanRejection(pause, expectedExitCode: 1);
        Assert.Contains("still fetching its metadata", pause.StderrText);

        await node.Process.SignalAsync("KILL");
        await node.Process.WaitForExitAsync(Settle);
        node = Own(await SwarmNodeProcess.StartAsync(Log, state));
        await node.WaitForStateAsync(torrent.InfoHash, "metadata", Settle);

        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort));
        await node.WaitForStateAsync(torrent.InfoHash, "seeding", TimeSpan.FromSeconds(90));
        torrent.AssertDownloadedTo(outDir);
    }

    private async Task<string> MagnetOf(TestTorrent torrent) =>
        (await SwarmCli.RunAsync(Log, Timeouts.Reject, "torrent", "magnet", torrent.TorrentPath)).EnsureSuccess().StdoutText.Trim();
}
