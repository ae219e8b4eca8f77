using Swarm.Protocol.Metainfo;

namespace Swarm.Node.Cli;

/// <summary>Creates a v2-only or hybrid torrent (BEP 52) from a file or folder for `swarm torrent create --v2 /
/// --hybrid`: finds the files as libtorrent's add_files does, hashes each file's pieces (SHA-256 merkle, and SHA-1 with
/// the pad zeros for a hybrid) on all cores, and has <see cref="TorrentBuilderV2"/> encode them.</summary>
internal static class TorrentFilesV2
{
    public static byte[] Create(string path, TorrentBuildOptions options, bool hybrid, TimeProvider? clock = null)
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
                .Select(f => (Full: f, Rel: (IReadOnlyList<string>)Path.GetRelativePath(full, f).Split(Path.DirectorySeparatorChar)))
                .OrderBy(f => f.Rel, Comparer<IReadOnlyList<string>>.Create(TorrentBuilderV2.CompareTreeOrder))
                .Select(f => (f.Full, f.Rel, Length: new FileInfo(f.Full).Length))
                .ToList()
            : [(full, (IReadOnlyList<string>)[name], new FileInfo(full).Length)];

        var total = files.Sum(f => f.Length);
        if (total == 0)
        {
            throw new InvalidOperationException($"'{path}' holds no data to share");
        }

        var pieceLength = TorrentBuilder.PieceLengthFor(total, options.PieceLength);

        // Every piece holds one file's bytes only: hash them all in parallel, whatever file they belong to.
        var pieces = files.SelectMany((f, i) => Enumerable.Range(0, TorrentBuilder.PieceCount(f.Length, pieceLength)).Select(k => (File: i, Piece: k))).ToList();
        var roots = files.Select(f => new byte[TorrentBuilder.PieceCount(f.Length, pieceLength) * MerkleTree.HashLength]).ToArray();
        var sha1 = files.Select(f => hybrid ? new byte[TorrentBuilder.PieceCount(f.Length, pieceLength) * TorrentBuilder.HashLength] : null).ToArray();
        Parallel.ForEach(
            pieces,
            () => new byte[pieceLength],
            (p, _, buffer) =>
            {
                var (fullPath, _, length) = files[p.File];
                var offset = (long)p.Piece * pieceLength;
                var size = (int)Math.Min(pieceLength, length - offset);
                using (var handle = File.OpenHandle(fullPath))
                {
                    if (RandomAccess.Read(handle, buffer.AsSpan(0, size), offset) != size)
                    {
                        throw new IOException($"'{fullPath}' changed while hashing");
                    }
                }

                var zeros = offset + pieceLength >= length ? TorrentBuilderV2.Sha1Padding(length, pieceLength, isFolder) : 0;
                TorrentBuilderV2.HashPiece(
                    buffer.AsSpan(0, size),
                    length,
                    pieceLength,
                    zeros,
                    roots[p.File].AsSpan(p.Piece * MerkleTree.HashLength, MerkleTree.HashLength),
                    sha1[p.File] is { } s ? s.AsSpan(p.Piece * TorrentBuilder.HashLength, TorrentBuilder.HashLength) : default);
                return buffer;
            },
            _ => { });

        var built = files.Select((f, i) => new V2BuildFile(f.Rel, f.Length, roots[i], sha1[i])).ToList();
        var dated = options with { CreationDate = options.CreationDate ?? (clock ?? TimeProvider.System).GetUtcNow() };
        return TorrentBuilderV2.Create(name, built, isFolder, pieceLength, hybrid, dated);
    }
}
