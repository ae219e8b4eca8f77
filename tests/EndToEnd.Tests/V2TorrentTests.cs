using System.Text.Json;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>BitTorrent v2 and hybrid torrents (BEP 52) between swarm and libtorrent 2.0, dialing each other directly:
/// torrents libtorrent made, downloaded by swarm byte for byte, and torrents swarm made (--v2, --hybrid), downloaded
/// by libtorrent. A v2-only torrent goes by its truncated v2 info-hash on the wire and in swarm's output.</summary>
public sealed class V2TorrentTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private const string Python = "/usr/bin/python3";
    private const int PieceLength = 64 * 1024;

    [Theory]
    [InlineData("v2", PayloadKind.MultiFile)]
    [InlineData("v2", PayloadKind.SingleFile)]
    [InlineData("hybrid", PayloadKind.MultiFile)]
    public async Task Swarm_downloads_a_torrent_libtorrent_made(string mode, PayloadKind kind)
    {
        var content = Payload.Create(kind, Dir.Sub("source"));
        var torrentPath = Path.Combine(Dir.Path, $"{mode}.torrent");
        var lt = await LibtorrentCreateAsync(content.Path, mode, torrentPath);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrentPath, content.Parent, seedPort));

        var info = await InfoAsync(torrentPath);
        Assert.Equal(lt.V2, info.GetProperty("infoHashV2").GetString());
        var wireHash = lt.V1 ?? lt.V2[..40];
        Assert.Equal(wireHash, info.GetProperty("infoHash").GetString());

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrentPath, outDir, FreePort.Next(), StateDir("leecher"), SwarmCli.Peer(seedPort)));
        await leecher.WaitForCompleteAsync(wireHash);
        TreeHash.AssertSame(content.Path, Path.Combine(outDir, content.Name));
    }

    [Theory]
    [InlineData("--v2")]
    [InlineData("--hybrid")]
    public async Task Libtorrent_downloads_a_torrent_swarm_made(string flag)
    {
        var content = Payload.Create(PayloadKind.MultiFile, Dir.Sub("source"));
        var torrentPath = Path.Combine(Dir.Path, "swarm.torrent");
        (await SwarmCli.RunAsync(Log, Timeouts.Start, "torrent", "create", content.Path, "-o", torrentPath, flag, "--piece-length", PieceLength.ToString())).EnsureSuccess();

        // libtorrent made the same torrent from the same files: the same info dictionary, so the same hashes.
        var lt = await LibtorrentCreateAsync(content.Path, flag == "--v2" ? "v2" : "hybrid", Path.Combine(Dir.Path, "lt.torrent"));
        var ours = await LibtorrentHashesAsync(torrentPath);
        Assert.Equal(lt, ours);
        var info = await InfoAsync(torrentPath);
        Assert.Equal(lt.V2, info.GetProperty("infoHashV2").GetString());
        Assert.Equal(flag == "--v2" ? "2" : "\"hybrid\"", info.GetProperty("version").GetRawText());
        var wireHash = lt.V1 ?? lt.V2[..40];

        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.Seed(Log, torrentPath, content.Parent, seedPort, StateDir("seeder")));
        await seeder.WaitForSeedingAsync(wireHash);

        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGet(Log, torrentPath, outDir, FreePort.Next(), SwarmCli.Peer(seedPort)));
        await Libtorrent.WaitForCompleteAsync(leecher);
        TreeHash.AssertSame(content.Path, Path.Combine(outDir, content.Name));
    }

    private async Task<JsonElement> InfoAsync(string torrentPath)
    {
        var result = (await SwarmCli.RunAsync(Log, Timeouts.Start, "torrent", "info", torrentPath, "--json")).EnsureSuccess();
        return JsonDocument.Parse(result.StdoutText).RootElement;
    }

    /// <summary>libtorrent's own torrent of <paramref name="path"/>, and its info-hashes (v1 null for v2-only).</summary>
    private async Task<Hashes> LibtorrentCreateAsync(string path, string mode, string output)
    {
        const string script = """
            import os, sys
            import libtorrent as lt
            path, mode, piece, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
            fs = lt.file_storage()
            lt.add_files(fs, path)
            ct = lt.create_torrent(fs, piece, flags=lt.create_torrent.v2_only if mode == 'v2' else 0)
            lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(path)))
            open(out, 'wb').write(lt.bencode(ct.generate()))
            """;
        await RunPythonAsync("libtorrent create", script, path, mode, PieceLength.ToString(), output);
        return await LibtorrentHashesAsync(output);
    }

    private async Task<Hashes> LibtorrentHashesAsync(string torrentPath)
    {
        const string script = """
            import sys
            import libtorrent as lt
            h = lt.torrent_info(sys.argv[1]).info_hashes()
            print(str(h.v1) if h.has_v1() else '-')
            print(str(h.v2) if h.has_v2() else '-')
            """;
        var lines = await RunPythonAsync("libtorrent hashes", script, torrentPath);
        Assert.True(lines.Count >= 2 && lines[1] != "-", $"libtorrent sees no v2 info-hash in {torrentPath}");
        return new Hashes(lines[0] == "-" ? null : lines[0], lines[1]);
    }

    private async Task<IReadOnlyList<string>> RunPythonAsync(string name, string script, params string[] args)
    {
        Assert.True(File.Exists(Python), "python3 is not installed at /usr/bin/python3 (apt-get install python3-libtorrent)");
        var result = await Command.RunAsync(name, Python, ["-c", script, .. args], Timeouts.Start, Log);
        Assert.True(result.ExitCode == 0, $"{name} failed ({result.ExitCode}): {result.StderrText}");
        return result.Stdout;
    }

    private sealed record Hashes(string? V1, string V2);
}
