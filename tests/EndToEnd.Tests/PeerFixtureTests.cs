using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>
/// The real-peer fixtures against each other, without swarm: when a swarm interop test fails and
/// these pass, the fault is swarm's, not the environment's.
/// </summary>
[Trait("Category", "Fixtures")]
public sealed class PeerFixtureTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Libtorrent_to_libtorrent_direct(PayloadKind kind)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort));

        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGet(Log, torrent.TorrentPath, outDir, FreePort.Next(), SwarmCli.Peer(seedPort)));
        await Libtorrent.WaitForCompleteAsync(leecher);

        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Libtorrent_to_aria2_via_tracker()
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(PayloadKind.MultiFile);
        // Seeder first: the leecher learns only the peers that announced before it.
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next()));
        await tracker.WaitForSeederAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(Aria2.StartGet(Log, Dir.Sub("aria2"), torrent.TorrentPath, outDir, FreePort.Next()));
        await Aria2.WaitForCompleteAsync(leecher);

        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Aria2_to_libtorrent_direct()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        Own(await Aria2.StartSeedAsync(Log, Dir.Sub("aria2"), torrent.TorrentPath, torrent.Content.Parent, seedPort));

        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGet(Log, torrent.TorrentPath, outDir, FreePort.Next(), SwarmCli.Peer(seedPort)));
        await Libtorrent.WaitForCompleteAsync(leecher);

        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Libtorrent_to_Transmission_via_tracker()
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(PayloadKind.SingleFile);
        // Transmission never dials loopback: it announces first so that the seeder's first
        // announce returns its address and the seeder dials it.
        var transmission = Own(await Transmission.StartAsync(Log, Dir.Sub("transmission")));
        var outDir = Dir.Sub("out");
        await transmission.AddAsync(torrent.TorrentPath, outDir);
        await tracker.WaitForLeecherAsync(torrent.InfoHash);

        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next()));
        await transmission.WaitForCompleteAsync(torrent.InfoHash, Timeouts.Transfer);

        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Transmission_to_libtorrent_via_tracker()
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(PayloadKind.MultiFile);
        var transmission = Own(await Transmission.StartAsync(Log, Dir.Sub("transmission")));
        await transmission.AddAsync(torrent.TorrentPath, torrent.Content.Parent);
        await transmission.WaitForCompleteAsync(torrent.InfoHash, Timeouts.Start);
        await tracker.WaitForSeederAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGet(Log, torrent.TorrentPath, outDir, FreePort.Next()));
        await Libtorrent.WaitForCompleteAsync(leecher);

        torrent.AssertDownloadedTo(outDir);
    }
}
