using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>One swarm leecher fed by three different clients at once.</summary>
public sealed class MultiSeederTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Fact]
    public async Task Swarm_downloads_from_libtorrent_aria2_and_swarm_at_once()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var libtorrentPort = FreePort.Next();
        var aria2Port = FreePort.Next();
        var swarmPort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, libtorrentPort));
        Own(await Aria2.StartSeedAsync(Log, Dir.Sub("aria2"), torrent.TorrentPath, torrent.Content.Parent, aria2Port));
        var swarmSeeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, swarmPort, StateDir("seeder")));
        await swarmSeeder.WaitForSeedingAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"),
            SwarmCli.Peer(libtorrentPort), SwarmCli.Peer(aria2Port), SwarmCli.Peer(swarmPort)));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }
}
