using Swarm.Protocol.Metainfo;

namespace Swarm.Node.Cli;

/// <summary>Creates a v1 torrent from a file or a folder on disk for `swarm torrent create`: finds the files, hashes
/// their pieces on all cores, and has <see cref="TorrentBuilder"/> encode the result. Files are ordered by ordinal path
/// so the same content always yields the same info-hash.</summary>
internal static class TorrentFiles
{
    /// <param name="clock">Dates the torrent when <paramref name="options"/> does not; the system clock by default.</param>
    public static byte[] Create(string path, TorrentBuildOptions options, TimeProvider? clock = null)
    {
        var full = Path.GetFullPath(path);
        var isFolder = Directory.Exists(full);
        if (!isFolder && !File.Exists(full))
        {
            throw new FileNotFoundException($"'{path}' does not exist");
        }

        var name = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar));
        var files = isFolder
            ? Directory.EnumerateFiles(full, "*", SearchOption.AllDirectories)
                .Select(f => (Full: f, Rel: Path.GetRelativePath(full, f).Split(Path.DirectorySeparatorChar)))
                .OrderBy(f => string.Join('/', f.Rel), StringComparer.Ordinal)
                .Select(f => (f.Full, File: new TorrentBuildFile(f.Rel, new FileInfo(f.Full).Length)))
                .ToList()
            : [(full, new TorrentBuildFile([name], new FileInfo(full).Length))];

        var total = files.Sum(f => f.File.Length);
        if (total == 0)
        {
            throw new InvalidOperationException($"'{path}' holds no data to share");
        }

        var pieceLength = TorrentBuilder.PieceLengthFor(total, options.PieceLength);
        var hashes = HashPieces([.. files.Select(f => f.Full)], [.. files.Select(f => f.File.Length)], pieceLength, total);
        var dated = options with { CreationDate = options.CreationDate ?? (clock ?? TimeProvider.System).GetUtcNow() };
        return TorrentBuilder.Create(name, [.. files.Select(f => f.File)], isFolder, pieceLength, hashes, dated);
    }

    private static byte[] HashPieces(string[] paths, long[] lengths, int pieceLength, long total)
    {
        var count = TorrentBuilder.PieceCount(total, pieceLength);
        var hashes = new byte[count * TorrentBuilder.HashLength];
        var starts = new long[paths.Length];
        for (var i = 1; i < paths.Length; i++)
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
                TorrentBuilder.HashPiece(buffer.AsSpan(0, size), hashes.AsSpan(piece * TorrentBuilder.HashLength, TorrentBuilder.HashLength));
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
