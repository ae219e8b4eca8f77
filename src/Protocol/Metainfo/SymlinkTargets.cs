namespace Swarm.Protocol.Metainfo;

/// <summary>Decides where each symlink of a multi-file torrent points, as libtorrent 2.0 does
/// (file_storage::sanitize_symlinks): a target must be a file or folder of the torrent, named from the torrent's
/// root or from the link's own folder, possibly through other links of the torrent; any other link points to
/// itself, so no link ever leads out of the torrent. Linear in the number of path components.</summary>
internal static class SymlinkTargets
{
    /// <param name="paths">Every file's sanitized path below the root, in torrent order, before duplicates are renamed.</param>
    /// <param name="targets">The sanitized "symlink path" of each symlink; null for other files.</param>
    /// <returns>Each symlink's target below the root (null for other files).</returns>
    public static IReadOnlyList<string>?[] Resolve(IReadOnlyList<IReadOnlyList<string>> paths, IReadOnlyList<IReadOnlyList<string>?> targets)
    {
        var resolved = targets.ToArray();
        if (resolved.All(t => t is null))
        {
            return resolved;
        }

        var root = new Node();
        var nodes = new Node[paths.Count];
        for (var j = 0; j < paths.Count; j++)
        {
            var node = root;
            for (var k = 0; k < paths[j].Count; k++)
            {
                node = node.Child(paths[j][k]);
                if (k < paths[j].Count - 1)
                {
                    node.IsFolder = true;
                }
            }

            nodes[j] = node;
            if (node.File < 0)
            {
                node.File = j;
            }
        }

        var unresolved = new List<int>();
        for (var i = 0; i < paths.Count; i++)
        {
            if (resolved[i] is not { } target)
            {
                continue;
            }

            if (Find(root, target) is { } found && (found.File >= 0 || found.IsFolder))
            {
                // A link to a folder, or to another link (which may be one), may stand for a folder in a path.
                if (found.File < 0 || targets[found.File] is not null)
                {
                    nodes[i].FolderLink = target;
                }

                continue;
            }

            // Older torrents name the target from the link's own folder.
            IReadOnlyList<string> relative = [.. paths[i].Take(paths[i].Count - 1), .. target];
            if (Find(root, relative) is { } near && (near.File >= 0 || near.IsFolder))
            {
                resolved[i] = relative;
                if (near.IsFolder || targets[near.File] is not null)
                {
                    nodes[i].FolderLink = relative;
                }

                continue;
            }

            nodes[i].FolderLink = target;
            unresolved.Add(i);
        }

        foreach (var i in unresolved)
        {
            if (!ResolvesThroughLinks(root, resolved[i]!))
            {
                resolved[i] = paths[i];
            }
        }

        return resolved;
    }

    /// <summary>Walks the target's folders from the root; a folder that is a link of the torrent is replaced by the
    /// link's target (each link at most once, so loops end). The end must be a file or folder of the torrent.</summary>
    private static bool ResolvesThroughLinks(Node root, IReadOnlyList<string> target)
    {
        var traversed = new HashSet<Node>(ReferenceEqualityComparer.Instance);

        // The components still to walk, as a stack of (list, next index): substituting a link pushes its target.
        var pending = new Stack<(IReadOnlyList<string> Components, int Next)>();
        pending.Push((target, 0));
        var node = root;
        while (true)
        {
            var (components, next) = pending.Pop();
            if (next + 1 < components.Count)
            {
                pending.Push((components, next + 1));
            }

            node = node.Find(components[next]);
            if (pending.Count == 0)
            {
                return node is not null && (node.File >= 0 || node.IsFolder);
            }

            if (node is null)
            {
                return false;
            }

            if (node.IsFolder)
            {
                continue;
            }

            if (node.FolderLink is not { } link || !traversed.Add(node))
            {
                return false;
            }

            pending.Push((link, 0));
            node = root;
        }
    }

    private static Node? Find(Node root, IReadOnlyList<string> path)
    {
        var node = root;
        foreach (var component in path)
        {
            node = node.Find(component);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    private sealed class Node
    {
        private Dictionary<string, Node>? _children;

        public bool IsFolder { get; set; }

        /// <summary>The first file at this path, or -1.</summary>
        public int File { get; set; } = -1;

        /// <summary>This node is a link that may stand for a folder: its target.</summary>
        public IReadOnlyList<string>? FolderLink { get; set; }

        public Node Child(string name)
        {
            _children ??= new Dictionary<string, Node>(StringComparer.Ordinal);
            if (!_children.TryGetValue(name, out var child))
            {
                child = new Node();
                _children.Add(name, child);
            }

            return child;
        }

        public Node? Find(string name) => _children is not null && _children.TryGetValue(name, out var child) ? child : null;
    }
}
