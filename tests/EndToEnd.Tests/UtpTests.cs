using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>uTP (issue 16) against real libtorrent 2.0 with TCP disabled, so every byte that moves went over uTP, both
/// directions, plain and RC4-encrypted: libtorrent leeching from a swarm seeder (it dials our UDP peer port), and swarm
/// leeching from a libtorrent seeder that accepts uTP only (it accepts our TCP connection and closes it before the
/// handshake; we must take that as a refusal and dial uTP). The uploads are tens of MiB at full loopback speed, where
/// libtorrent's socket drops datagrams and its selective acks come in the lengths it picks. uTP is on in the shipped
/// configuration, so these run swarm as a user would, without a --config.</summary>
public sealed class UtpTests(ITestOutputHelper log) : EndToEndTest(log)
{
    // Debian's python: a venv interpreter cannot import python3-libtorrent.
    private const string Python = "/usr/bin/python3";

    private static string Script => Path.Combine(AppContext.BaseDirectory, "peers", "lt_peer.py");

    /// <summary>Large enough that libtorrent's UDP receive buffer overflows at full speed: losses, selective acks of
    /// every length, retransmissions. Smaller uploads never lost a packet and so never showed the stall.</summary>
    private const long UploadBytes = 40L << 20;

    [Fact]
    public async Task Libtorrent_with_tcp_off_downloads_tens_of_mebibytes_from_a_swarm_seeder_over_utp()
    {
        var torrent = await LargeTorrentAsync();
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.Start($"swarm seed :{seedPort}", Log, ["seed", torrent.TorrentPath, "--data", torrent.Content.Parent, "--bind", SwarmCli.Loopback, "--port", seedPort.ToString(), "--data-dir", StateDir("seeder")]));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(LibtorrentUtpOnly("get", torrent.TorrentPath, outDir, FreePort.Next(), SwarmCli.Peer(seedPort)));
        await Libtorrent.WaitForCompleteAsync(leecher);

        torrent.AssertDownloadedTo(outDir);
    }

    /// <summary>The same upload with libtorrent forcing RC4-encrypted MSE, in and out: only an encrypted uTP
    /// connection that libtorrent dialled to us can have carried it.</summary>
    [Fact]
    public async Task Libtorrent_forcing_encryption_over_utp_downloads_tens_of_mebibytes_from_a_swarm_seeder()
    {
        var torrent = await LargeTorrentAsync();
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.Start($"swarm seed :{seedPort}", Log, ["seed", torrent.TorrentPath, "--data", torrent.Content.Parent, "--bind", SwarmCli.Loopback, "--port", seedPort.ToString(), "--data-dir", StateDir("seeder")]));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(LibtorrentUtpOnlyEncrypted("get", torrent.TorrentPath, outDir, FreePort.Next(), "forced", SwarmCli.Peer(seedPort)));
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
        var port = FreePort.Next();
        var leecher = Own(SwarmCli.Start($"swarm get :{port}", Log, ["get", torrent.TorrentPath, "-o", outDir, "--bind", SwarmCli.Loopback, "--port", port.ToString(), "--data-dir", StateDir("leecher"), "--peer", SwarmCli.Peer(seedPort)]));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    /// <summary>Encrypted uTP: libtorrent speaks only uTP and only RC4-encrypted MSE, swarm requires encryption, so
    /// the transfer can only have gone over an encrypted uTP connection that our dialler opened.</summary>
    [Fact]
    public async Task Swarm_requiring_encryption_downloads_from_a_libtorrent_seeder_forcing_it_over_utp_only()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var seedPort = FreePort.Next();
        var seeder = Own(LibtorrentUtpOnlyEncrypted("seed", torrent.TorrentPath, torrent.Content.Parent, seedPort, "forced"));
        await seeder.WaitForLineAsync("ready", Timeouts.Start);

        var outDir = Dir.Sub("out");
        var port = FreePort.Next();
        var leecher = Own(SwarmCli.Start(
            $"swarm get :{port} (require)",
            Log,
            ["get", torrent.TorrentPath, "-o", outDir, "--bind", SwarmCli.Loopback, "--port", port.ToString(), "--data-dir", StateDir("leecher"), "--encryption", "require", "--peer", SwarmCli.Peer(seedPort)]));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    private async Task<TestTorrent> LargeTorrentAsync()
    {
        var content = Payload.CreateFile(Dir.Sub("source"), "large.bin", UploadBytes, seed: 16);
        var path = Path.Combine(Dir.Path, "large.torrent");
        var metainfo = await MkTorrent.CreateAsync(content.Path, path, Log, pieceLengthLog2: 18);
        return new TestTorrent(content, path, metainfo);
    }

    private ManagedProcess LibtorrentUtpOnly(string mode, string torrent, string dir, int port, params string[] peers) =>
        LibtorrentUtpOnlyEncrypted(mode, torrent, dir, port, "enabled", peers);

    private ManagedProcess LibtorrentUtpOnlyEncrypted(string mode, string torrent, string dir, int port, string encryption, params string[] peers) =>
        ManagedProcess.Start(
            $"libtorrent {mode} utp ({encryption}) :{port}",
            Python,
            [Script, mode, torrent, dir, port.ToString(), "--bind", SwarmCli.Loopback, "--utp-only", "--encryption", encryption, "--log-peers", .. peers.SelectMany(p => new[] { "--peer", p })],
            Log);
}
