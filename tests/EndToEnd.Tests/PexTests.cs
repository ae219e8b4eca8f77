using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Issue 15, peer exchange (BEP 11) with libtorrent 2.0: peers found through ut_pex alone (no tracker, no
/// DHT, no LSD on the libtorrent side).</summary>
public sealed class PexTests(ITestOutputHelper log) : EndToEndTest(log)
{
    /// <summary>libtorrent sends ut_pex once a minute per peer, the first about a minute after the connection.</summary>
    private static readonly TimeSpan PexRound = TimeSpan.FromMinutes(4);

    [Fact]
    public async Task A_swarm_leecher_connected_to_one_libtorrent_peer_learns_the_seeder_from_ut_pex()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        var middlePort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort));

        // The middle peer dials the seeder but downloads at 4 KB/s: it stays a leecher connected to the seeder (whom
        // it lists in ut_pex) and can never pass on more than a small part of the 3 MB.
        var middle = Own(Libtorrent.StartThrottledGet(Log, torrent.TorrentPath, Dir.Sub("middle"), middlePort, 4096, SwarmCli.Peer(seedPort)));
        await middle.WaitForLineAsync("ready", Timeouts.Start);

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(middlePort)));
        var line = await leecher.WaitForLineAsync("complete ", PexRound);
        Assert.Equal($"complete {torrent.InfoHash}", line.TrimEnd());
        Assert.Equal(0, await leecher.WaitForExitAsync(Timeouts.Exit));
        torrent.AssertDownloadedTo(outDir);
        // The middle passes on at most a few KB, so the download came from the seeder, whom nothing but ut_pex names
        // (no tracker; libtorrent runs no DHT or LSD). Either we dialled the address we learned, or the seeder dialled us
        // first, having learned ours from the middle's ut_pex (the only incoming libtorrent connection there can be:
        // the middle is dialled by us).
        var log = leecher.Stdout.Concat(leecher.Stderr).ToList();
        Assert.Contains(log, l => l.Contains($"peer {SwarmCli.Peer(seedPort)}: connected", StringComparison.Ordinal)
            || (l.Contains(": connected (libtorrent", StringComparison.Ordinal) && l.Contains(", incoming,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_libtorrent_leecher_connected_to_one_swarm_peer_learns_the_seeder_from_our_ut_pex()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        var middlePort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort));

        // A swarm leecher held to 4 KB/s: connected to the seeder for the whole test, able to pass on little.
        var config = Path.Combine(Dir.Path, "slow.conf");
        await File.WriteAllTextAsync(config, "swarm.limits.download-rate = 4 KiB\n");
        var middle = Own(SwarmCli.Start(
            $"swarm get :{middlePort}",
            Log,
            ["get", torrent.TorrentPath, "-o", Dir.Sub("middle"), "--bind", SwarmCli.Loopback, "--port", middlePort.ToString(),
             "--data-dir", StateDir("middle"), "--peer", SwarmCli.Peer(seedPort), "--config", config]));
        await middle.WaitForStderrLineAsync(l => l.Contains($"peer {SwarmCli.Peer(seedPort)}: connected", StringComparison.Ordinal), "connected to the seeder", Timeouts.Start);

        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGet(Log, torrent.TorrentPath, outDir, FreePort.Next(), SwarmCli.Peer(middlePort)));
        await leecher.WaitForLineAsync("complete", PexRound);
        Assert.Equal(0, await leecher.WaitForExitAsync(Timeouts.Exit));
        torrent.AssertDownloadedTo(outDir);
    }
}
