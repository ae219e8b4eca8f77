using System.Net;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>
/// swarm and qBittorrent 4.5 (libtorrent 2.0), each on a loopback address of its own: swarm dials a qBittorrent
/// seeder directly; a qBittorrent leecher finds a swarm seeder through opentracker at the address the seeder
/// announced from, which must be the one it is bound to.
/// </summary>
public sealed class QBittorrentInteropTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Swarm_downloads_from_qBittorrent(PayloadKind kind)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log);
        var qbittorrent = Own(await QBittorrent.StartAsync(Log, Dir.Sub("qbittorrent"), LoopbackAddress.Next()));
        await qbittorrent.AddAsync(torrent.TorrentPath, torrent.Content.Parent);
        await qbittorrent.WaitForCompleteAsync(torrent.InfoHash, Timeouts.Start);

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"), qbittorrent.PeerEndpoint));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task QBittorrent_downloads_from_swarm_through_a_tracker(PayloadKind kind)
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(kind);
        var seederAddress = LoopbackAddress.Next();
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.SeedBoundTo(seederAddress, Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);
        // Seeder first: opentracker's interval is 30 min, so qBittorrent learns only the peers that announced before it.
        await tracker.WaitForSeederAsync(torrent.InfoHash);
        Assert.Contains(new IPEndPoint(IPAddress.Parse(seederAddress), seedPort), await TrackerPeers.ListAsync(tracker.AnnounceUrl, torrent.InfoHash));

        var qbittorrent = Own(await QBittorrent.StartAsync(Log, Dir.Sub("qbittorrent"), LoopbackAddress.Next()));
        var outDir = Dir.Sub("out");
        await qbittorrent.AddAsync(torrent.TorrentPath, outDir);
        await qbittorrent.WaitForCompleteAsync(torrent.InfoHash, Timeouts.Transfer);

        torrent.AssertDownloadedTo(outDir);
    }
}
