using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>swarm and libtorrent 2.0, dialing each other directly (no tracker).</summary>
public sealed class LibtorrentInteropTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Swarm_downloads_from_libtorrent(PayloadKind kind)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort));

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Libtorrent_downloads_from_swarm(PayloadKind kind)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, kind, Log);
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        // libtorrent dials with an encrypted handshake first and retries in plain text when swarm hangs up.
        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGet(Log, torrent.TorrentPath, outDir, FreePort.Next(), SwarmCli.Peer(seedPort)));
        await Libtorrent.WaitForCompleteAsync(leecher);

        torrent.AssertDownloadedTo(outDir);
    }
}
