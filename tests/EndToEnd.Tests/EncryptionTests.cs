using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Message stream encryption (MSE/PE, issue 16) against real clients on loopback: libtorrent forcing RC4
/// encryption both ways (it refuses every plain connection, so a finished transfer proves the handshake and the
/// encrypted stream), a plain-only libtorrent that swarm's `prefer` reaches after its encrypted dial is dropped, and a
/// transmission-daemon that requires encryption.</summary>
public sealed class EncryptionTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData("prefer")]
    [InlineData("require")]
    public async Task Libtorrent_forcing_encryption_downloads_from_swarm(string policy)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.Start($"swarm seed :{seedPort}", Log, ["seed", torrent.TorrentPath, "--data", torrent.Content.Parent, .. Node(seedPort, "seeder", policy)]));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGetWithEncryption(Log, torrent.TorrentPath, outDir, FreePort.Next(), "forced", SwarmCli.Peer(seedPort)));
        await Libtorrent.WaitForCompleteAsync(leecher);

        torrent.AssertDownloadedTo(outDir);
    }

    [Theory]
    [InlineData("prefer")]
    [InlineData("require")]
    public async Task Swarm_downloads_from_libtorrent_forcing_encryption(string policy)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartSeedWithEncryptionAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, "forced"));

        var outDir = Dir.Sub("out");
        var leecher = Own(Get(torrent, outDir, policy, SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Prefer_reaches_a_plain_only_libtorrent_after_its_encrypted_dial_is_dropped()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartSeedWithEncryptionAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, "disabled"));

        var outDir = Dir.Sub("out");
        var leecher = Own(Get(torrent, outDir, "prefer", SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Swarm_downloads_from_Transmission_requiring_encryption()
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(PayloadKind.MultiFile);
        var transmission = Own(await Transmission.StartAsync(Log, Dir.Sub("transmission"), encryption: 2));
        await transmission.AddAsync(torrent.TorrentPath, torrent.Content.Parent);
        await transmission.WaitForCompleteAsync(torrent.InfoHash, Timeouts.Start);
        await tracker.WaitForSeederAsync(torrent.InfoHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(Get(torrent, outDir, "prefer"));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
    }

    private ManagedProcess Get(TestTorrent torrent, string outDir, string policy, params string[] peers)
    {
        var port = FreePort.Next();
        return SwarmCli.Start($"swarm get :{port} ({policy})", Log, ["get", torrent.TorrentPath, "-o", outDir, .. Node(port, "leecher", policy), .. peers.SelectMany(p => new[] { "--peer", p })]);
    }

    private string[] Node(int port, string name, string policy) =>
        ["--bind", SwarmCli.Loopback, "--port", port.ToString(), "--data-dir", StateDir(name), "--encryption", policy];
}
