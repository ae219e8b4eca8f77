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
