using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>uTP (issue 16) against real libtorrent 2.0 with TCP disabled both ways, so every byte that moves went
/// over uTP: libtorrent leeching from a swarm seeder (it dials our UDP peer port), and swarm leeching from a libtorrent
/// seeder that accepts uTP only (it accepts our TCP connection and closes it before the handshake; we must take that
/// as a refusal and dial uTP).</summary>
public sealed class UtpTests(ITestOutputHelper log) : EndToEndTest(log)
{
    // Debian's python: a venv interpreter cannot import python3-libtorrent.
    private const string Python = "/usr/bin/python3";

    private static string Script => Path.Combine(AppContext.BaseDirectory, "peers", "lt_peer.py");

    [Fact]
    public async Task Libtorrent_with_tcp_off_downloads_from_swarm_over_utp()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(LibtorrentUtpOnly("get", torrent.TorrentPath, outDir, FreePort.Next(), SwarmCli.Peer(seedPort)));
        await Libtorrent.WaitForCompleteAsync(leecher);

        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Swarm_downloads_from_a_libtorrent_seeder_that_accepts_only_utp()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        var seeder = Own(LibtorrentUtpOnly("seed", torrent.TorrentPath, torrent.Content.Parent, seedPort));
        await seeder.WaitForLineAsync("ready", Timeouts.Start);

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    private ManagedProcess LibtorrentUtpOnly(string mode, string torrent, string dir, int port, params string[] peers) =>
        ManagedProcess.Start(
            $"libtorrent {mode} utp :{port}",
            Python,
            [Script, mode, torrent, dir, port.ToString(), "--bind", SwarmCli.Loopback, "--utp-only", .. peers.SelectMany(p => new[] { "--peer", p })],
            Log);
}
