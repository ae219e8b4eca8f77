using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>v2-only magnet links (BEP 52, xt=urn:btmh:1220…) with libtorrent 2.0, both ways: the info dictionary comes
/// by ut_metadata and the piece layers, which live outside it, by BEP 52 hash requests; swarm asks libtorrent for them,
/// and serves its own to libtorrent.</summary>
public sealed class V2MagnetTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private const string Python = "/usr/bin/python3";
    private const int PieceLength = 64 * 1024;

    [Theory]
    [InlineData(PayloadKind.SingleFile)]
    [InlineData(PayloadKind.MultiFile)]
    public async Task Swarm_downloads_a_v2_magnet_from_libtorrent(PayloadKind kind)
    {
        var content = Payload.Create(kind, Dir.Sub("source"));
        var torrentPath = Path.Combine(Dir.Path, "v2.torrent");
        var v2 = await LibtorrentCreateV2Async(content.Path, torrentPath);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrentPath, content.Parent, seedPort));
        var magnet = await MagnetAsync(torrentPath, v2);

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, magnet, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(v2[..40]);
        TreeHash.AssertSame(content.Path, Path.Combine(outDir, content.Name));
    }

    [Fact]
    public async Task Libtorrent_downloads_a_v2_magnet_from_swarm()
    {
        var content = Payload.Create(PayloadKind.MultiFile, Dir.Sub("source"));
        var torrentPath = Path.Combine(Dir.Path, "v2.torrent");
        var v2 = await LibtorrentCreateV2Async(content.Path, torrentPath);
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.Seed(Log, torrentPath, content.Parent, seedPort, StateDir("seeder")));
        await seeder.WaitForSeedingAsync(v2[..40]);

        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGet(Log, await MagnetAsync(torrentPath, v2), outDir, FreePort.Next(), SwarmCli.Peer(seedPort)));
        await Libtorrent.WaitForCompleteAsync(leecher);
        TreeHash.AssertSame(content.Path, Path.Combine(outDir, content.Name));
    }

    [Fact]
    public async Task Piece_layers_fetched_for_a_v2_magnet_survive_kill_9_and_are_served_after_it()
    {
        var content = Payload.Create(PayloadKind.MultiFile, Dir.Sub("source"));
        var torrentPath = Path.Combine(Dir.Path, "v2.torrent");
        var v2 = await LibtorrentCreateV2Async(content.Path, torrentPath);
        var hash = v2[..40];
        var seedPort = FreePort.Next();
        var ltSeeder = await Libtorrent.StartSeedAsync(Log, torrentPath, content.Parent, seedPort);
        await using (ltSeeder)
        {
            var state = StateDir("node");
            var outDir = Dir.Sub("out");
            var node = Own(await SwarmNodeProcess.StartAsync(Log, state));
            (await node.ConsoleAsync("add", $"{await MagnetAsync(torrentPath, v2)}&x.pe=127.0.0.1:{seedPort}", "-o", outDir)).EnsureSuccess();
            await node.WaitForStateAsync(hash, "seeding", TimeSpan.FromSeconds(120));
            await node.Process.SignalAsync("KILL");
            await node.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        // libtorrent's seeder is gone: the restarted node is the only one who can give libtorrent the piece layers,
        // and it can only if its catalog kept them (without them libtorrent verifies nothing and never finishes).
        var restarted = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        await restarted.WaitForStateAsync(hash, "seeding", TimeSpan.FromSeconds(120));
        var leecherOut = Dir.Sub("lt-out");
        var leecher = Own(Libtorrent.StartGet(Log, await MagnetAsync(torrentPath, v2), leecherOut, FreePort.Next(), restarted.Peers));
        await Libtorrent.WaitForCompleteAsync(leecher);
        TreeHash.AssertSame(content.Path, Path.Combine(leecherOut, content.Name));
    }

    /// <summary>swarm's magnet of the torrent: a v2-only one carries only the 32-byte multihash.</summary>
    private async Task<string> MagnetAsync(string torrentPath, string v2)
    {
        var magnet = (await SwarmCli.RunAsync(Log, Timeouts.Reject, "torrent", "magnet", torrentPath)).EnsureSuccess().StdoutText.Trim();
        Assert.Contains($"xt=urn:btmh:1220{v2}", magnet, StringComparison.Ordinal);
        Assert.DoesNotContain("urn:btih:", magnet, StringComparison.Ordinal);
        return magnet;
    }

    /// <summary>libtorrent's v2-only torrent of <paramref name="path"/>; returns its v2 info-hash (hex).</summary>
    private async Task<string> LibtorrentCreateV2Async(string path, string output)
    {
        const string script = """
            import os, sys
            import libtorrent as lt
            path, piece, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
            fs = lt.file_storage()
            lt.add_files(fs, path)
            ct = lt.create_torrent(fs, piece, flags=lt.create_torrent.v2_only)
            lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(path)))
            open(out, 'wb').write(lt.bencode(ct.generate()))
            print(str(lt.torrent_info(out).info_hashes().v2))
            """;
        Assert.True(File.Exists(Python), "python3 is not installed at /usr/bin/python3 (apt-get install python3-libtorrent)");
        var result = await Command.RunAsync("libtorrent create", Python, ["-c", script, path, PieceLength.ToString(), output], Timeouts.Start, Log);
        Assert.True(result.ExitCode == 0, $"libtorrent create failed ({result.ExitCode}): {result.StderrText}");
        return result.Stdout[^1].Trim();
    }
}
