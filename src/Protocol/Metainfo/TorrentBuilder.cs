using System.Security.Cryptography;
using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Metainfo;

public sealed record TorrentBuildOptions(
    IReadOnlyList<string> Trackers,
    int? PieceLength = null,
    bool IsPrivate = false,
    string? Comment = null,
    string CreatedBy = "SwarmActors",
    DateTimeOffset? CreationDate = null);

/// <summary>Creates v1 torrents from a file or a folder. Files are ordered by ordinal path so the same
/// content always yields the same info-hash; pieces are hashed on all cores.</summary>
public static class TorrentBuilder
{
    public static byte[] Create(string path, TorrentBuildOptions options)
    {
        var full = Path.GetFullPath(path);
        var isDir = Directory.Exists(full);
        if (!isDir && !File.Exists(full))
        {
            throw new FileNotFoundException($"'{path}' does not exist");
        }

        var name = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar));
        var files = isDir
            ? Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                .Select(f => (Full: f, Rel: Path.GetRelativePath(full, f).Split(Path.DirectorySeparatorChar)))
                .OrderBy(f => string.Join('/', f.Rel), StringComparer.Ordinal)
                .Select(f => (f.Full, f.Rel, Length: new FileInfo(f.Full).Length))
                .ToList()
            : [(full, new[] { name }, new FileInfo(full).Length)];

        var total = files.Sum(f => f.Length);
        if (total == 0)
        {
            throw new InvalidOperationException($"'{path}' holds no data to share");
        }

        var pieceLength = options.PieceLength ?? AutoPieceLength(total);
        if (pieceLength < MetainfoParser.MinPieceLength || pieceLength > MetainfoParser.MaxPieceLength || (pieceLength & (pieceLength - 1)) != 0)
        {
            throw new ArgumentException($"piece length {pieceLength} is not a power of two between {MetainfoParser.MinPieceLength} and {MetainfoParser.MaxPieceLength}");
        }

        var pieces = HashPieces(files.Select(f => (f.Full, f.Length)).ToList(), pieceLength, total);

        var entries = new List<(string, BValue?)>
        {
            ("name", new BString(name)),
            ("piece length", new BInteger(pieceLength)),
            ("pieces", new BString(pieces)),
            ("private", options.IsPrivate ? new BInteger(1) : null),
        };
        if (isDir)
        {
            entries.Add(("files", new BList(files.Select(f => (BValue)BDictionary.From(
                ("length", new BInteger(f.Length)),
                ("path", new BList(f.Rel.Select(c => (BValue)new BString(c)).ToList())))).ToList())));
        }
        else
        {
            entries.Add(("length", new BInteger(total)));
        }

        var info = BDictionary.From([.. entries]);
        var root = BDictionary.From(
            ("announce", options.Trackers.Count > 0 ? new BString(options.Trackers[0]) : null),
            ("announce-list", options.Trackers.Count > 1 ? new BList(options.Trackers.Select(t => (BValue)new BList([new BString(t)])).ToList()) : null),
            ("comment", options.Comment is null ? null : new BString(options.Comment)),
            ("created by", new BString(options.CreatedBy)),
            ("creation date", new BInteger((options.CreationDate ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds())),
            ("info", info));
        return BencodeWriter.Encode(root);
    }

    /// <summary>About 1,000–2,000 pieces, between 16 KiB and 16 MiB, like mainstream clients choose.</summary>
    public static int AutoPieceLength(long totalLength)
    {
        var length = 16 * 1024;
        while (length < 16 * 1024 * 1024 && totalLength / length > 2000)
        {
            length *= 2;
        }

        return length;
    }

    private static byte[] HashPieces(IReadOnlyList<(string Path, long Length)> files, int pieceLength, long total)
    {
        var count = (int)((total + pieceLength - 1) / pieceLength);
        var hashes = new byte[count * 20];
        var paths = files.Select(f => f.Path).ToArray();
        var lengths = files.Select(f => f.Length).ToArray();
        var starts = new long[files.Count];
        for (var i = 1; i < files.Count; i++)
        {
            starts[i] = starts[i - 1] + lengths[i - 1];
        }

        Parallel.For(
            0,
            count,
            () => new byte[pieceLength],
            (piece, _, buffer) =>
            {
                var offset = (long)piece * pieceLength;
                var size = (int)Math.Min(pieceLength, total - offset);
                ReadSpan(paths, starts, lengths, offset, buffer.AsSpan(0, size));
                SHA1.HashData(buffer.AsSpan(0, size), hashes.AsSpan(piece * 20, 20));
                return buffer;
            },
            _ => { });
        return hashes;
    }

    private static void ReadSpan(string[] paths, long[] starts, long[] lengths, long offset, Span<byte> dest)
    {
        foreach (var part in ContentSpans.Map(starts, lengths, offset, dest.Length))
        {
            var path = paths[part.File];
            using var handle = File.OpenHandle(path);
            if (RandomAccess.Read(handle, dest.Slice(part.RangeOffset, part.Length), part.FileOffset) != part.Length)
            {
                throw new IOException($"'{path}' changed while hashing");
            }
        }
    }
}
