using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>
/// swarm and Transmission 3.00 through opentracker. Transmission never dials loopback peers, so in
/// both directions swarm must learn Transmission's address from its first announce and dial it; and
/// with a ~30 min announce interval Transmission announces before swarm starts.
/// </summary>
public sealed class TransmissionInteropTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Swarm_downloads_from_Transmission(PayloadKind kind)
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(kind);
        var transmission = Own(await Transmission.StartAsync(Log, Dir.Sub("transmission")));
        await transmission.AddAsync(torrent.TorrentPath, torrent.Content.Parent);
        await transmission.WaitForCompleteAsync(torrent.InfoHash, Timeouts.Start);
        await tracker.WaitForSeederAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher")));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Transmission_downloads_from_swarm(PayloadKind kind)
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(kind);
        var transmission = Own(await Transmission.StartAsync(Log, Dir.Sub("transmission")));
        var outDir = Dir.Sub("out");
        await transmission.AddAsync(torrent.TorrentPath, outDir);
        await tracker.WaitForLeecherAsync(torrent.InfoHash);

        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);
        await transmission.WaitForCompleteAsync(torrent.InfoHash, Timeouts.Transfer);

        torrent.AssertDownloadedTo(outDir);
    }
}
