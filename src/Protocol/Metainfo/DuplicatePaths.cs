using System.Globalization;

namespace Swarm.Protocol.Metainfo;

/// <summary>Renames the files of a multi-file torrent whose path another file or a folder already takes, as
/// libtorrent 2.0 does (torrent_info::resolve_duplicate_filenames): paths compare ignoring ASCII case; a file that
/// clashes with any folder of the torrent, or with an earlier file, becomes "name.1.ext" (then .2, ...), whichever
/// is free first; padding files of one length may share a path. Linear in the number of path components, however
/// deep or repetitive the paths.</summary>
internal static class DuplicatePaths
{
    /// <param name="Path">Sanitized components below the torrent's root.</param>
    /// <param name="OutsideRoot">A padding file without a path: libtorrent files it under ".pad" beside the torrent's
    /// folder rather than inside it, so it clashes with no file of the torrent (its folder still counts inside).</param>
    public readonly record struct Entry(IReadOnlyList<string> Path, long Length, bool IsPadding, bool OutsideRoot);

    /// <summary>Each file's final path, in torrent order.</summary>
    public static IReadOnlyList<string>[] Resolve(IReadOnlyList<Entry> files)
    {
        var paths = files.Select(f => f.Path).ToArray();
        var root = new Node();
        var outside = new Node();

        // Every folder goes in first, so that no file can take a folder's name, wherever the file comes.
        foreach (var f in files)
        {
            Parent(root, f.Path);
        }

        for (var i = 0; i < files.Count; i++)
        {
            var f = files[i];
            var parent = Parent(f.OutsideRoot ? outside : root, f.Path);
            var leaf = Lower(f.Path[^1]);
            if (!parent.Children.TryGetValue(leaf, out var other))
            {
                parent.Children.Add(leaf, new Node { File = i });
                continue;
            }

            if (!other.IsFolder && f.IsPadding && files[other.File].IsPadding && f.Length == files[other.File].Length)
            {
                continue;
            }

            var renamed = parent.Rename(f.Path[^1], i);
            paths[i] = [.. f.Path.Take(f.Path.Count - 1), renamed];
        }

        return paths;
    }

    /// <summary>The node of the folder holding <paramref name="path"/>, creating folder nodes on the way.</summary>
    private static Node Parent(Node root, IReadOnlyList<string> path)
    {
        var node = root;
        for (var i = 0; i < path.Count - 1; i++)
        {
            var key = Lower(path[i]);
            if (!node.Children.TryGetValue(key, out var child))
            {
                child = new Node { IsFolder = true };
                node.Children.Add(key, child);
            }

            node = child;
        }

        return node;
    }

    /// <summary>libtorrent lowercases A-Z only.</summary>
    private static string Lower(string text) => string.Create(text.Length, text, (span, source) =>
    {
        for (var i = 0; i < source.Length; i++)
        {
            span[i] = source[i] is >= 'A' and <= 'Z' ? (char)(source[i] + ('a' - 'A')) : source[i];
        }
    });

    private sealed class Node
    {
        private Dictionary<string, Node>? _children;
        private Dictionary<string, int>? _nextNumber;

        public Dictionary<string, Node> Children => _children ??= new Dictionary<string, Node>(StringComparer.Ordinal);

        /// <summary>A folder of the torrent; otherwise the node is file <see cref="File"/>.</summary>
        public bool IsFolder { get; init; }

        public int File { get; init; } = -1;

        /// <summary>Takes "stem.N.ext" for the smallest free N and returns it. The names taken only grow, so the
        /// search for a stem resumes where its last one ended.</summary>
        public string Rename(string name, int file)
        {
            var dot = name.LastIndexOf('.');
            var (stem, extension) = dot >= 0 ? (name[..dot], name[dot..]) : (name, string.Empty);
            var stemKey = $"{Lower(stem)}/{Lower(extension)}";
            _nextNumber ??= new Dictionary<string, int>(StringComparer.Ordinal);
            for (var n = _nextNumber.GetValueOrDefault(stemKey, 1); ; n++)
            {
                var candidate = $"{stem}.{n.ToString(CultureInfo.InvariantCulture)}{extension}";
                if (Children.TryAdd(Lower(candidate), new Node { File = file }))
                {
                    _nextNumber[stemKey] = n + 1;
                    return candidate;
                }
            }
        }
    }
}
