using System.Diagnostics;
using Swarm.Node.Cli;
using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Node.Tests.Cli;

/// <summary>`torrent create --v2 / --hybrid`: the info dictionary is byte for byte the one python3-libtorrent 2.0
/// creates for the same content and piece length, and the torrent reads back with its own pieces verifying.</summary>
public sealed class TorrentFilesV2Tests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string _root = Directory.CreateTempSubdirectory("swarm-v2create-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Write(string relative, int length, int seed)
    {
        var path = Path.Combine(_root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Folder()
    {
        Write("content/B.bin", 16_384, 1);
        Write("content/a b", 10, 2);
        Write("content/a-b/z.bin", 5_000, 3);
        Write("content/a.txt", 100, 4);
        Write("content/a/deep/x.bin", 140_000, 5);
        Write("content/empty", 0, 6);
        Write("content/zz.bin", 65_536, 7);
        return Path.Combine(_root, "content");
    }

    public static TheoryData<string, int> Modes => new()
    {
        { "v2", 16384 },
        { "v2", 65536 },
        { "hybrid", 16384 },
        { "hybrid", 32768 },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public void FolderMatchesLibtorrent(string mode, int pieceLength) => Compare(Folder(), mode, pieceLength);

    [Theory]
    [MemberData(nameof(Modes))]
    public void SingleFileMatchesLibtorrent(string mode, int pieceLength) => Compare(Write("one.bin", 150_001, 9), mode, pieceLength);

    [Fact]
    public void ATinyFileIsItsOwnRoot() => Compare(Write("tiny", 1, 10), "hybrid", 16384);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WebSeedsGoIntoTheUrlListOfV2AndHybridTorrents(bool hybrid)
    {
        string[] seeds = ["http://mirror.example/pub/", "https://other.example/files/"];
        var bytes = TorrentFilesV2.Create(Folder(), new TorrentBuildOptions([], 16384) { WebSeeds = seeds }, hybrid);
        var meta = MetainfoParser.Parse(bytes);
        Assert.Equal(seeds, meta.WebSeeds);
        Assert.Equal(hybrid ? "hybrid" : (object)2, meta.Version);
    }

    private static void Compare(string path, string mode, int pieceLength)
    {
        var ours = TorrentFilesV2.Create(path, new TorrentBuildOptions(["http://tracker.example/announce"], pieceLength), hybrid: mode == "hybrid");
        var theirs = Libtorrent(path, mode, pieceLength);
        var m = MetainfoParser.Parse(ours);
        Assert.Equal(Convert.ToHexStringLower(theirs.Info), Convert.ToHexStringLower(m.InfoBytes));
        Assert.Equal(theirs.V2, m.V2!.InfoHash.Hex);
        Assert.Equal(theirs.V1 ?? theirs.V2[..40], m.InfoHash.Hex);

        // Our piece layers are those libtorrent wrote beside its info dictionary.
        var lt = MetainfoParser.Parse(theirs.Torrent);
        Assert.Equal(lt.V2!.PieceLayers.OrderBy(l => l.Key).Select(l => (l.Key, Convert.ToHexStringLower(l.Value))), m.V2.PieceLayers.OrderBy(l => l.Key).Select(l => (l.Key, Convert.ToHexStringLower(l.Value))));
    }

    private static (byte[] Torrent, byte[] Info, string? V1, string V2) Libtorrent(string path, string mode, int pieceLength)
    {
        Assert.True(File.Exists(Python), "python3 is not installed at /usr/bin/python3 (apt-get install python3-libtorrent)");
        const string script = """
            import os, sys
            import libtorrent as lt
            path, mode, piece, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
            fs = lt.file_storage()
            lt.add_files(fs, path)
            ct = lt.create_torrent(fs, piece, flags=lt.create_torrent.v2_only if mode == 'v2' else 0)
            lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(path)))
            e = ct.generate()
            open(out, 'wb').write(lt.bencode(e))
            h = lt.torrent_info(out).info_hashes()
            print(lt.bencode(e[b'info']).hex())
            print(str(h.v1) if h.has_v1() else '')
            print(str(h.v2))
            """;
        var output = Path.Combine(Path.GetDirectoryName(path)!, $"lt-{mode}.torrent");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-c", script, path, mode, pieceLength.ToString(System.Globalization.CultureInfo.InvariantCulture), output })
        {
            psi.ArgumentList.Add(arg);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "libtorrent did not finish within 2 minutes");
        Assert.True(p.ExitCode == 0, $"python3-libtorrent failed ({p.ExitCode}): {stderr.Result}");
        var lines = stdout.Result.Split('\n');
        var torrent = File.ReadAllBytes(output);
        File.Delete(output);
        return (torrent, Convert.FromHexString(lines[0]), lines[1].Length > 0 ? lines[1] : null, lines[2]);
    }
}
