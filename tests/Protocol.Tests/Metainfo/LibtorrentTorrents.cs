using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace Swarm.Protocol.Tests.Metainfo;

/// <summary>Makes v2 and hybrid torrents with python3-libtorrent 2.0 inside a test, as reference vectors: libtorrent's
/// .torrent bytes, its info-hashes and its content layout (pad files included). Fails when libtorrent is missing.</summary>
internal static class LibtorrentTorrents
{
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import json, os, sys
        import libtorrent as lt
        path, mode, piece, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
        fs = lt.file_storage()
        lt.add_files(fs, path)
        ct = lt.create_torrent(fs, piece, flags=lt.create_torrent.v2_only if mode == 'v2' else 0)
        lt.set_piece_hashes(ct, os.path.dirname(os.path.abspath(path)))
        data = lt.bencode(ct.generate())
        open(out, 'wb').write(data)
        ti = lt.torrent_info(out)
        files = ti.files()
        hashes = ti.info_hashes()
        print(json.dumps({
            'v1': str(hashes.v1) if hashes.has_v1() else None,
            'v2': str(hashes.v2) if hashes.has_v2() else None,
            'pieces': ti.num_pieces(),
            'lastPiece': ti.piece_size(ti.num_pieces() - 1),
            'info': lt.bencode(ct.generate()[b'info']).hex(),
            'magnet': lt.make_magnet_uri(ti),
            'files': [{'path': files.file_path(i), 'size': files.file_size(i), 'offset': files.file_offset(i),
                       'pad': bool(files.file_flags(i) & 1)} for i in range(files.num_files())],
        }))
        """;

    /// <summary>libtorrent's torrent of <paramref name="path"/> (a file or folder) in <paramref name="mode"/> "v2"
    /// (v2-only) or "hybrid".</summary>
    public static Made Create(string path, string mode, int pieceLength)
    {
        Assert.True(File.Exists(Python), "python3 is not installed at /usr/bin/python3");
        var output = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $"lt-{mode}-{pieceLength}.torrent");
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-c", Script, path, mode, pieceLength.ToString(System.Globalization.CultureInfo.InvariantCulture), output })
        {
            psi.ArgumentList.Add(arg);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "libtorrent did not finish making the torrent within 2 minutes");
        Assert.True(p.ExitCode == 0, $"python3-libtorrent failed ({p.ExitCode}; apt-get install python3-libtorrent): {stderr.Result}");
        var json = JsonDocument.Parse(stdout.Result).RootElement;
        var files = json.GetProperty("files").EnumerateArray()
            .Select(f => new LayoutFile(f.GetProperty("path").GetString()!, f.GetProperty("size").GetInt64(), f.GetProperty("offset").GetInt64(), f.GetProperty("pad").GetBoolean()))
            .ToList();
        return new Made(
            File.ReadAllBytes(output),
            Convert.FromHexString(json.GetProperty("info").GetString()!),
            json.GetProperty("v1").GetString(),
            json.GetProperty("v2").GetString(),
            json.GetProperty("pieces").GetInt32(),
            json.GetProperty("lastPiece").GetInt32(),
            files)
        {
            Magnet = json.GetProperty("magnet").GetString()!,
        };
    }

    /// <param name="V1">libtorrent's v1 info-hash (hex), null for v2-only.</param>
    /// <param name="V2">libtorrent's full v2 info-hash (hex, 64 digits).</param>
    public sealed record Made(byte[] Torrent, byte[] Info, string? V1, string? V2, int Pieces, int LastPieceSize, IReadOnlyList<LayoutFile> Files)
    {
        /// <summary>libtorrent's make_magnet_uri of the torrent.</summary>
        public string Magnet { get; init; } = string.Empty;
    }

    /// <param name="Path">As libtorrent names it: the torrent's name first, pad files as "name/.pad/N".</param>
    public sealed record LayoutFile(string Path, long Size, long Offset, bool IsPadding);
}

/// <summary>A temporary folder of pseudo-random files, deleted at the end of the test.</summary>
internal sealed class ContentFolder : IDisposable
{
    public ContentFolder()
    {
        Root = Directory.CreateTempSubdirectory("swarm-v2-").FullName;
    }

    public string Root { get; }

    public string Write(string relative, int length, int seed)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
