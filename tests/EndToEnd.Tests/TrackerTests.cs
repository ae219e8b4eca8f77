using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Two swarm processes that know each other only through a real tracker (opentracker), over HTTP
/// (BEP 3, compact peers BEP 23) and over UDP (BEP 15).</summary>
public sealed class TrackerTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData("http")]
    [InlineData("udp")]
    public async Task Peers_find_each_other_through_the_tracker(string scheme)
    {
        var trackerPort = FreePort.Next();
        var announce = scheme == "udp"
            ? $"udp://{SwarmCli.Loopback}:{trackerPort}/announce"
            : OpenTracker.AnnounceUrlFor(trackerPort);
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log, announce);
        var tracker = Own(await OpenTracker.StartAsync(Log, Dir.Sub("tracker"), trackerPort, torrent.InfoHash));

        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);
        await tracker.WaitForSeederAsync(torrent.InfoHash);

        // No --peer: the leecher learns the seeder from its announce.
        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher")));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }
}
