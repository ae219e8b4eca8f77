using System.Text.Json;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Mainline DHT (BEP 5, issue 15) with real libtorrent 2.0 DHT nodes on loopback: bare magnet links
/// (`magnet:?xt=urn:btih:HASH`, no tracker, no peer) find their peers through a DHT started from one bootstrap node,
/// both ways, and a restarted node finds them from its saved routing table alone. Each process has a loopback address
/// of its own; the DHT rules allow loopback because the bootstrap node is on loopback.</summary>
public sealed class DhtTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Fact]
    public async Task Swarm_downloads_a_bare_magnet_from_a_libtorrent_seeder_found_through_the_dht()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var router = await StartRouterAsync();
        Own(await LibtorrentDht.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, router));

        var outDir = Dir.Sub("out");
        var leecher = Own(StartSwarm("get", BareMagnet(torrent), "-o", outDir, "--data-dir", StateDir("leecher"), "--dht-bootstrap", router));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Libtorrent_downloads_a_bare_magnet_from_a_swarm_seeder_found_through_the_dht()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var router = await StartRouterAsync();
        var seeder = Own(StartSwarm("seed", torrent.TorrentPath, "--data", torrent.Content.Parent, "--data-dir", StateDir("seeder"), "--dht-bootstrap", router));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(LibtorrentDht.StartGet(Log, BareMagnet(torrent), outDir, router));
        await LibtorrentDht.WaitForCompleteAsync(leecher);
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task A_restarted_node_finds_peers_through_its_saved_table_without_any_bootstrap_node()
    {
        var first = await TestTorrent.CreateAsync(Dir.Sub("first"), PayloadKind.SingleFile, Log);
        var second = await TestTorrent.CreateAsync(Dir.Sub("second"), PayloadKind.MultiFile, Log);
        var router = await StartRouterAsync();
        Own(await LibtorrentDht.StartSeedAsync(Log, first.TorrentPath, first.Content.Parent, router));
        Own(await LibtorrentDht.StartSeedAsync(Log, second.TorrentPath, second.Content.Parent, router));
        var state = StateDir("node");

        // First run: bootstrapped from the router; it learns the DHT and keeps its table in the state folder.
        var firstOut = Dir.Sub("out1");
        await using (var run = StartSwarm("get", BareMagnet(first), "-o", firstOut, "--data-dir", state, "--dht-bootstrap", router))
        {
            await run.WaitForCompleteAsync(first.InfoHash);
        }

        first.AssertDownloadedTo(firstOut);
        Assert.True(File.Exists(Path.Combine(state, "dht.dat")), "the routing table was not saved in the state folder");

        // Second run: no bootstrap node at all (the configured list is emptied); only the saved table can find peers.
        var config = Path.Combine(Dir.Path, "no-bootstrap.conf");
        await File.WriteAllTextAsync(config, "swarm.dht.bootstrap-nodes = []\n");
        var secondOut = Dir.Sub("out2");
        var restarted = Own(StartSwarm("get", BareMagnet(second), "-o", secondOut, "--data-dir", state, "--config", config));
        var loaded = await restarted.WaitForStderrLineAsync(l => l.Contains("from the saved table, 0 bootstrap node(s)", StringComparison.Ordinal), "the DHT start line", Timeouts.Start);
        Assert.DoesNotContain(" 0 node(s) from the saved table", loaded, StringComparison.Ordinal);
        await restarted.WaitForCompleteAsync(second.InfoHash);
        second.AssertDownloadedTo(secondOut);
    }

    [Fact]
    public async Task A_bare_magnet_added_from_the_console_downloads_through_the_dht_and_the_console_shows_it()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var router = await StartRouterAsync();
        Own(await LibtorrentDht.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, router));
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node"), "--dht-bootstrap", router));

        var outDir = Dir.Sub("out");
        (await node.ConsoleAsync("add", BareMagnet(torrent), "-o", outDir)).EnsureSuccess();
        await node.WaitForStateAsync(torrent.InfoHash, "seeding", Timeouts.Transfer);
        torrent.AssertDownloadedTo(outDir);

        // The torrent (announced once its metadata came) and the lookups that found it are in `dht`.
        var dht = await Poll.UntilAsync<JsonElement?>(
            async () => await node.JsonAsync("dht"),
            d => d!.Value.GetProperty("announced").GetInt32() >= 1,
            Timeouts.Announce,
            TimeSpan.FromMilliseconds(500),
            last => $"the torrent was not announced on the DHT; last seen: {last}");
        Assert.True(dht!.Value.GetProperty("enabled").GetBoolean());
        Assert.True(dht.Value.GetProperty("nodes").GetInt32() >= 1);
        Assert.Contains(dht.Value.GetProperty("recent").EnumerateArray(), r => r.GetProperty("target").GetString() == torrent.InfoHash);
        var text = (await node.ConsoleAsync("dht")).EnsureSuccess().StdoutText;
        Assert.Contains("recent lookups:", text);
        Assert.True((await node.JsonAsync("status")).GetProperty("dhtNodes").GetInt32() >= 1);
    }

    [Fact]
    public async Task Without_the_dht_a_bare_magnet_finds_nobody_and_says_so()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var router = await StartRouterAsync();
        Own(await LibtorrentDht.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, router));
        var config = Path.Combine(Dir.Path, "short.conf");
        await File.WriteAllTextAsync(config, "swarm.magnet.metadata-timeout = 5s\n");
        var run = await SwarmCli.RunAsync(
            Log, Timeouts.Start, "get", BareMagnet(torrent), "-o", Dir.Sub("out"), "--data-dir", StateDir("off"), "--bind", LoopbackAddress.Next(), "--port", "0", "--config", config, "--no-dht", "--dht-bootstrap", router);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains(run.Stderr, l => l.Contains("no peer to fetch the metadata", StringComparison.Ordinal));
        Assert.DoesNotContain(run.Stderr, l => l.Contains("[node/dht]", StringComparison.Ordinal));
    }

    private static string BareMagnet(TestTorrent torrent) => $"magnet:?xt=urn:btih:{torrent.InfoHash}";

    /// <summary>A libtorrent DHT node with no torrent: the one bootstrap node everybody is given.</summary>
    private async Task<string> StartRouterAsync()
    {
        var endpoint = $"{LoopbackAddress.Next()}:{FreePort.Next()}";
        Own(await LibtorrentDht.StartRouterAsync(Log, endpoint));
        return endpoint;
    }

    /// <summary>swarm on a loopback address of its own (a fresh free port), so the DHT sees each process apart.</summary>
    private ManagedProcess StartSwarm(string command, params string[] arguments) =>
        SwarmCli.Start($"swarm {command}", Log, [command, .. arguments, "--bind", LoopbackAddress.Next(), "--port", FreePort.Next().ToString()]);

    /// <summary>libtorrent 2.0 with its DHT on, through peers/lt_dht.py: prints <c>ready</c> once listening (a seeder:
    /// once verified), <c>complete</c> when a download is whole, then exits 0.</summary>
    private static class LibtorrentDht
    {
        private const string Python = "/usr/bin/python3";

        private static string Script => Path.Combine(AppContext.BaseDirectory, "peers", "lt_dht.py");

        public static Task<ManagedProcess> StartRouterAsync(ITestOutputHelper log, string endpoint)
        {
            var (address, port) = Split(endpoint);
            return ManagedProcess.Start($"libtorrent dht router {endpoint}", Python, [Script, "router", "--bind", address, "--port", port], log)
                .WhenReadyAsync(p => p.WaitForLineAsync("ready", Timeouts.Start));
        }

        public static Task<ManagedProcess> StartSeedAsync(ITestOutputHelper log, string torrent, string dataDir, string router) =>
            Start(log, "seed", torrent, dataDir, router).WhenReadyAsync(p => p.WaitForLineAsync("ready", Timeouts.Start));

        public static ManagedProcess StartGet(ITestOutputHelper log, string magnet, string outDir, string router) =>
            Start(log, "get", magnet, outDir, router);

        public static async Task WaitForCompleteAsync(ManagedProcess leecher)
        {
            await leecher.WaitForLineAsync("complete", Timeouts.Transfer);
            var exitCode = await leecher.WaitForExitAsync(Timeouts.Exit);
            Assert.True(exitCode == 0, $"{leecher.Name} exited with code {exitCode}.\n{leecher.Describe()}");
        }

        private static ManagedProcess Start(ITestOutputHelper log, string mode, string torrent, string dir, string router)
        {
            var address = LoopbackAddress.Next();
            var port = FreePort.Next().ToString();
            return ManagedProcess.Start($"libtorrent dht {mode} {address}:{port}", Python, [Script, mode, torrent, dir, "--bind", address, "--port", port, "--bootstrap", router], log);
        }

        private static (string Address, string Port) Split(string endpoint)
        {
            var colon = endpoint.LastIndexOf(':');
            return (endpoint[..colon], endpoint[(colon + 1)..]);
        }
    }
}
