using System.Net;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>
/// swarm and rTorrent 0.9.8, each on a loopback address of its own (rTorrent ignores peers on its own address):
/// swarm dials an rTorrent seeder directly; an rTorrent leecher finds a swarm seeder started with --bind through
/// opentracker, over HTTP and over UDP. rTorrent dials only the address the tracker recorded, so the seeder's
/// announces must leave from the address it is bound to.
/// </summary>
public sealed class RTorrentInteropTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Swarm_downloads_from_rTorrent(PayloadKind kind)
    {
        // rTorrent refuses a torrent without an announce URL; nothing answers at this one, swarm dials rTorrent directly.
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log, OpenTracker.AnnounceUrlFor(FreePort.Next()));
        var rtorrent = Own(RTorrent.Start(Log, Dir.Sub("rtorrent"), LoopbackAddress.Next(), torrent.TorrentPath, torrent.Content.Parent));
        await rtorrent.WaitForSeedingAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"), rtorrent.PeerEndpoint));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    [Theory]
    [InlineData(PayloadKind.SingleFile, "http")]
    [InlineData(PayloadKind.MultiFile, "udp")]
    public async Task RTorrent_downloads_from_swarm_bound_to_its_own_address(PayloadKind kind, string scheme)
    {
        var trackerPort = FreePort.Next();
        var announce = scheme == "udp" ? $"udp://{SwarmCli.Loopback}:{trackerPort}/announce" : OpenTracker.AnnounceUrlFor(trackerPort);
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log, announce);
        var tracker = Own(await OpenTracker.StartAsync(Log, Dir.Sub("tracker"), trackerPort, torrent.InfoHash));

        var seederAddress = LoopbackAddress.Next();
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.SeedBoundTo(seederAddress, Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);
        // Seeder first: opentracker's interval is 30 min, so rTorrent learns only the peers that announced before it.
        await tracker.WaitForSeederAsync(torrent.InfoHash);
        // What rTorrent will be told: the seeder's own address, whichever protocol the announce used.
        var recorded = await TrackerPeers.ListAsync(tracker.AnnounceUrl, torrent.InfoHash);
        Assert.Equal([new IPEndPoint(IPAddress.Parse(seederAddress), seedPort)], recorded);

        var outDir = Dir.Sub("out");
        var rtorrent = Own(RTorrent.Start(Log, Dir.Sub("rtorrent"), LoopbackAddress.Next(), torrent.TorrentPath, outDir));
        await rtorrent.WaitForCompleteAsync(torrent.InfoHash, Timeouts.Transfer);

        torrent.AssertDownloadedTo(outDir);
    }
}
