using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Two swarm processes, no tracker: peers given with --peer.</summary>
public sealed class SwarmToSwarmTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Leecher_dials_seeder(PayloadKind kind)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log);
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Seeder_dials_leecher()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var outDir = Dir.Sub("out");
        var leechPort = FreePort.Next();
        // The leecher knows no peer: the only way in is the seeder dialing its listener.
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, leechPort, StateDir("leecher")));
        // Its port listens once its torrent is ready for peers; a seeder dialing before that is refused and backs off.
        await ListeningPorts.UntilListeningAsync(leechPort, leecher, Timeouts.Start);

        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder"), SwarmCli.Peer(leechPort)));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }
}
