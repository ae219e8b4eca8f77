using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>swarm and aria2 1.36: swarm dials an aria2 seeder directly; an aria2 leecher finds swarm through opentracker.</summary>
public sealed class Aria2InteropTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Swarm_downloads_from_aria2(PayloadKind kind)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log);
        var seedPort = FreePort.Next();
        Own(await Aria2.StartSeedAsync(Log, Dir.Sub("aria2"), torrent.TorrentPath, torrent.Content.Parent, seedPort));

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Aria2_downloads_from_swarm(PayloadKind kind)
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(kind);
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);
        // Seeder first: aria2 learns only the peers that announced before it did.
        await tracker.WaitForSeederAsync(torrent.InfoHash);

        // aria2 dials with an encrypted handshake first and retries in plain text when swarm hangs up.
        var outDir = Dir.Sub("out");
        var leecher = Own(Aria2.StartGet(Log, Dir.Sub("aria2"), torrent.TorrentPath, outDir, FreePort.Next()));
        await Aria2.WaitForCompleteAsync(leecher);

        torrent.AssertDownloadedTo(outDir);
    }
}
