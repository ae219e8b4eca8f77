using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Metainfo;

/// <summary>A file of a v2 `file tree` (BEP 52) in tree order.</summary>
/// <param name="Path">Sanitized components below the torrent's root (for a single-file torrent, just its name).</param>
/// <param name="PiecesRoot">The 32-byte root of the file's merkle tree; null for an empty file or a symlink.</param>
/// <param name="SymlinkTarget">Sanitized target components of a symlink (attribute 'l'), else null.</param>
public sealed record V2File(IReadOnlyList<string> Path, long Length, byte[]? PiecesRoot, IReadOnlyList<string>? SymlinkTarget = null);

/// <summary>Reads a BEP 52 `file tree`: nested dictionaries keyed by path element, a file being the dictionary under
/// the empty key. Files come in the tree's (sorted) order, which is the order their pieces follow. Bounded like the v1
/// file list: by the decoder's depth and token limits, the total length and the piece count.</summary>
public static class FileTree
{
    public static IReadOnlyList<V2File> Read(BDictionary tree, long maxTotalLength, long maxFileLength)
    {
        var files = new List<V2File>();
        long total = 0;
        Walk(tree, [], files, ref total, maxTotalLength, maxFileLength);
        if (files.Count == 0)
        {
            throw new InvalidTorrentException("the 'file tree' holds no file");
        }

        return files;
    }

    private static void Walk(BDictionary node, List<string> path, List<V2File> files, ref long total, long maxTotal, long maxFile)
    {
        foreach (var (key, value) in node.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (value is not BDictionary child)
            {
                throw new InvalidTorrentException("an entry of the 'file tree' is not a dictionary");
            }

            if (key.Length == 0)
            {
                if (path.Count == 0)
                {
                    throw new InvalidTorrentException("the 'file tree' has a file without a name");
                }

                files.Add(ReadFile(child, path, ref total, maxTotal, maxFile));
                continue;
            }

            // Keys are the raw bytes of the element (the decoder keeps them as Latin-1).
            var element = PathSanitizer.Element(System.Text.Encoding.Latin1.GetBytes(key));
            if (element is not null)
            {
                path.Add(element);
            }

            Walk(child, path, files, ref total, maxTotal, maxFile);
            if (element is not null)
            {
                path.RemoveAt(path.Count - 1);
            }
        }
    }

    private static V2File ReadFile(BDictionary f, List<string> path, ref long total, long maxTotal, long maxFile)
    {
        var attributes = f["attr"] is BString attr ? attr.Text : string.Empty;
        if (attributes.Contains('l', StringComparison.Ordinal))
        {
            var target = f["symlink path"] is BList list
                ? list.Items.OfType<BString>().Select(c => PathSanitizer.Element(c.Bytes)).OfType<string>().ToArray()
                : [];
            return new V2File([.. path], 0, null, target.Length > 0 ? target : [.. path]);
        }

        if (f["length"] is not BInteger { Value: >= 0 } length)
        {
            throw new InvalidTorrentException($"the file '{Printable.Escape(string.Join('/', path))}' of the 'file tree' has no valid 'length'");
        }

        if (length.Value > maxFile || length.Value > maxTotal - total)
        {
            throw new InvalidTorrentException($"the files of the 'file tree' add up to more than {maxTotal} bytes");
        }

        total += length.Value;
        byte[]? root = null;
        if (length.Value > 0)
        {
            if (f["pieces root"] is not BString { Bytes.Length: MerkleTree.HashLength } r)
            {
                throw new InvalidTorrentException($"the file '{Printable.Escape(string.Join('/', path))}' of the 'file tree' has no 32-byte 'pieces root'");
            }

            root = r.Bytes;
        }

        return new V2File([.. path], length.Value, root);
    }
}
