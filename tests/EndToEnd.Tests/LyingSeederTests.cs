using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>A seeder that answers every request with random bytes (peers/liar_peer.py) next to an honest swarm
/// seeder: the download completes byte-exact and the liar is banned, never dialled again.</summary>
public sealed class LyingSeederTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "peers", "liar_peer.py");

    [Fact]
    public async Task The_download_completes_from_the_honest_seeder_and_the_liar_is_banned()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var liarPort = FreePort.Next();
        var liar = Own(ManagedProcess.Start(
            $"liar :{liarPort}", "/usr/bin/python3", [Script, torrent.InfoHash, torrent.Metainfo.PieceCount.ToString(), liarPort.ToString()], Log));
        await liar.WaitForLineAsync("ready", Timeouts.Start);

        var honestPort = FreePort.Next();
        var honest = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, honestPort, StateDir("seeder")));
        await honest.WaitForSeedingAsync(torrent.InfoHash);

        // The honest seeder is reached only once the leecher has a connection to the liar: a leecher that finished
        // from the honest seeder before its (plain-text) redial of the liar would never ask the liar for anything.
        var gated = Own(new TcpRelay(honestPort, liar.WaitForLineAsync("connection ", Timeouts.Transfer)));
        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher"),
            SwarmCli.Peer(liarPort), SwarmCli.Peer(gated.Port)));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);

        torrent.AssertDownloadedTo(outDir);
        Assert.Contains(leecher.Stderr, l => l.Contains($"banning peer {SwarmCli.Peer(liarPort)}", StringComparison.Ordinal));
        Assert.Single(liar.Stdout, l => l.StartsWith("connection ", StringComparison.Ordinal));
    }
}
