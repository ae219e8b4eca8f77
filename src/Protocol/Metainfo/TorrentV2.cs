namespace Swarm.Protocol.Metainfo;

/// <summary>What a BitTorrent v2 or hybrid torrent (BEP 52) adds to its metainfo: the 32-byte info-hash, the files of
/// its `file tree` with their merkle roots, and the piece layers known so far.</summary>
/// <param name="Files">The `file tree`'s files in tree order.</param>
/// <param name="Offsets">Where each of <paramref name="Files"/> starts in the torrent's content (piece-aligned; the
/// layout of <see cref="TorrentMetainfo.Files"/>, whose pad files do the aligning).</param>
/// <param name="IsHybrid">The info dictionary also holds v1 `pieces` (and a v1 file list matching the tree).</param>
public sealed record TorrentV2(InfoHashV2 InfoHash, IReadOnlyList<V2File> Files, IReadOnlyList<long> Offsets, bool IsHybrid)
{
    /// <summary>Piece layers by pieces root (hex): for each file longer than a piece, the roots of its pieces'
    /// subtrees. Empty for metainfo read from a bare info dictionary (they live outside it).</summary>
    public IReadOnlyDictionary<string, byte[]> PieceLayers { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>The `file tree` index of the file a piece belongs to, or -1 when the piece starts in no file
    /// (pieces are aligned to files, so a piece holds bytes of one file at most).</summary>
    public int FileOfPiece(long pieceOffset)
    {
        int lo = 0, hi = Files.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (Offsets[mid] <= pieceOffset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        // Empty files share their offset with the next one; step back to the file holding the byte.
        while (found >= 0 && Files[found].Length == 0)
        {
            found--;
        }

        return found >= 0 && pieceOffset < Offsets[found] + Files[found].Length ? found : -1;
    }

    /// <summary>The piece layer of a file, or null when the file fits one piece (its root is its only hash) or the
    /// layer is not known.</summary>
    public byte[]? LayerOf(V2File file) =>
        file.PiecesRoot is { } root && PieceLayers.TryGetValue(Convert.ToHexStringLower(root), out var layer) ? layer : null;
}
