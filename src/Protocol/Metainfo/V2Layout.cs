using System.Globalization;

namespace Swarm.Protocol.Metainfo;

/// <summary>Lays a v2 `file tree` out as the content the rest of the node reads and writes: each file starts on a
/// piece boundary, which is a hybrid's layout with BEP 47 pad files, so v2-only torrents get the same pad files
/// libtorrent gives them (after every file not ending on a boundary, the last too, even of a single-file torrent: the
/// last piece is then as long as libtorrent says on the wire) and storage maps pieces unchanged.
/// For a hybrid, checks that its v1 file list is that layout.</summary>
public static class V2Layout
{
    /// <summary>Whether the tree is a single-file torrent: one file directly under the root.</summary>
    public static bool IsSingleFile(IReadOnlyList<V2File> tree) => tree.Count == 1 && tree[0].Path.Count == 1;

    /// <summary>The content layout of a v2-only torrent, and each tree file's offset in it.</summary>
    public static (List<TorrentFile> Files, long[] Offsets) Synthesize(IReadOnlyList<V2File> tree, int pieceLength, string? singleFileName)
    {
        var offsets = new long[tree.Count];
        if (singleFileName is not null)
        {
            var length = tree[0].Length;
            var tail = PadAfter(length, pieceLength);
            List<TorrentFile> single = [new TorrentFile([singleFileName], length, 0, false)];
            if (tail > 0)
            {
                single.Add(new TorrentFile([".pad", tail.ToString(CultureInfo.InvariantCulture)], tail, length, true));
            }

            return (single, offsets);
        }

        var entries = new List<DuplicatePaths.Entry>();
        var drafts = new List<(long Length, long Offset, bool IsPadding, IReadOnlyList<string>? Target)>();
        long offset = 0;
        for (var i = 0; i < tree.Count; i++)
        {
            var f = tree[i];
            offsets[i] = offset;
            entries.Add(new DuplicatePaths.Entry(f.Path.Count == 0 ? ["_"] : f.Path, f.Length, false, false));
            drafts.Add((f.Length, offset, false, f.SymlinkTarget));
            offset += f.Length;
            var pad = PadAfter(f.Length, pieceLength);
            if (pad > 0)
            {
                entries.Add(new DuplicatePaths.Entry([".pad", pad.ToString(CultureInfo.InvariantCulture)], pad, true, true));
                drafts.Add((pad, offset, true, null));
                offset += pad;
            }
        }

        var paths = DuplicatePaths.Resolve(entries);
        var targets = SymlinkTargets.Resolve(paths, [.. drafts.Select(d => d.Target)]);
        var files = drafts.Select((d, i) => new TorrentFile(paths[i], d.Length, d.Offset, d.IsPadding) { SymlinkTarget = targets[i] }).ToList();
        return (files, offsets);
    }

    /// <summary>The zeros that take a file of <paramref name="length"/> bytes to the next piece boundary.</summary>
    public static long PadAfter(long length, int pieceLength) => length % pieceLength == 0 ? 0 : pieceLength - (length % pieceLength);

    /// <summary>A hybrid's v1 files must be the tree's files, in its order, each starting on a piece boundary;
    /// otherwise SHA-1 and SHA-256 pieces would cover different bytes. Returns each tree file's offset.</summary>
    public static long[] CheckHybrid(IReadOnlyList<V2File> tree, IReadOnlyList<TorrentFile> v1Files, int pieceLength)
    {
        var real = v1Files.Where(f => !f.IsPadding).ToList();
        if (real.Count != tree.Count)
        {
            throw new InvalidTorrentException($"the hybrid torrent's v1 file list has {real.Count} files but its 'file tree' {tree.Count}");
        }

        var offsets = new long[tree.Count];
        for (var i = 0; i < tree.Count; i++)
        {
            var (v1, v2) = (real[i], tree[i]);
            if (v1.Length != v2.Length || !SamePath(v1.Path, v2.Path, v1Files.Count == 1))
            {
                throw new InvalidTorrentException($"the hybrid torrent's v1 file '{Printable.Escape(v1.JoinedPath)}' ({v1.Length} bytes) does not match the 'file tree' file '{Printable.Escape(string.Join('/', v2.Path))}' ({v2.Length} bytes)");
            }

            if (v1.Length > 0 && v1.Offset % pieceLength != 0)
            {
                throw new InvalidTorrentException($"the hybrid torrent's file '{Printable.Escape(v1.JoinedPath)}' starts at byte {v1.Offset}, not on a piece boundary");
            }

            offsets[i] = v1.Offset;
        }

        return offsets;
    }

    /// <summary>The v1 paths went through duplicate renaming ("a.1.txt"); the tree's did not, so only the folders and
    /// the files' count and order are held to the tree, the last element only when not renamed.</summary>
    private static bool SamePath(IReadOnlyList<string> v1, IReadOnlyList<string> v2, bool singleFile)
    {
        if (singleFile)
        {
            return true;
        }

        if (v1.Count != v2.Count)
        {
            return false;
        }

        for (var i = 0; i < v1.Count - 1; i++)
        {
            if (!string.Equals(v1[i], v2[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
