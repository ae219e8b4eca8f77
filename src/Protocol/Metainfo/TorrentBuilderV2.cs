using System.Globalization;
using System.Security.Cryptography;
using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Metainfo;

/// <summary>A file of a v2 or hybrid torrent being created, hashed.</summary>
/// <param name="Path">Components below the torrent's root (a single-file torrent: just its name).</param>
/// <param name="PieceRoots">Per piece of the file, from <see cref="TorrentBuilderV2.HashPiece"/>: for a file of one
/// piece or less, its pieces root; otherwise its piece layer.</param>
/// <param name="Sha1">Per piece, the v1 SHA-1 of a hybrid (null for v2-only).</param>
public sealed record V2BuildFile(IReadOnlyList<string> Path, long Length, byte[] PieceRoots, byte[]? Sha1);

/// <summary>Encodes v2-only and hybrid metainfo (BEP 52) from files hashed by their creator, with the info dictionary
/// libtorrent 2.0's create_torrent writes for the same files and piece length: files in `file tree` order, every file
/// starting on a piece boundary, and for a hybrid the v1 list with libtorrent's pad files (after every file that does
/// not end on a boundary, the last too, unless the torrent is a single file).</summary>
public static class TorrentBuilderV2
{
    /// <summary>Orders paths as a `file tree` does: by component, each compared as bytes.</summary>
    public static int CompareTreeOrder(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        for (var i = 0; i < Math.Min(a.Count, b.Count); i++)
        {
            var c = System.Text.Encoding.UTF8.GetBytes(a[i]).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b[i]));
            if (c != 0)
            {
                return c;
            }
        }

        return a.Count.CompareTo(b.Count);
    }

    /// <summary>The bytes of zeros a hybrid appends to the piece of a file that ends mid-piece (its pad file).</summary>
    public static int Sha1Padding(long fileLength, int pieceLength, bool isFolder) =>
        isFolder ? (int)V2Layout.PadAfter(fileLength, pieceLength) : 0;

    /// <summary>Hashes one piece of a file: its v2 root into <paramref name="v2Root"/> (32 bytes) and, for a hybrid,
    /// the SHA-1 of the piece followed by <paramref name="zeros"/> pad bytes into <paramref name="sha1"/> (20 bytes;
    /// empty for v2-only).</summary>
    /// <param name="data">The piece's bytes of the file (the file's last piece may be short).</param>
    public static void HashPiece(ReadOnlySpan<byte> data, long fileLength, int pieceLength, int zeros, Span<byte> v2Root, Span<byte> sha1)
    {
        var root = fileLength <= pieceLength ? MerkleTree.FileRoot(data) : MerkleTree.PieceRoot(data, pieceLength);
        root.CopyTo(v2Root);
        if (sha1.IsEmpty)
        {
            return;
        }

        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        h.AppendData(data);
        if (zeros > 0)
        {
            h.AppendData(new byte[zeros]);
        }

        h.GetHashAndReset(sha1);
    }

    public static byte[] Create(string name, IReadOnlyList<V2BuildFile> files, bool isFolder, int pieceLength, bool hybrid, TorrentBuildOptions options)
    {
        if (!isFolder && files.Count != 1)
        {
            throw new ArgumentException($"a single-file torrent holds one file, not {files.Count}", nameof(files));
        }

        if (files.Sum(f => f.Length) == 0)
        {
            throw new ArgumentException($"'{name}' holds no data to share", nameof(files));
        }

        TorrentBuilder.PieceLengthFor(1, pieceLength);
        var ordered = files.OrderBy(f => f.Path, Comparer<IReadOnlyList<string>>.Create(CompareTreeOrder)).ToList();
        var roots = ordered.Select(f => Root(f, pieceLength)).ToList();

        var entries = new List<(string, BValue?)>
        {
            ("file tree", Tree(ordered, roots)),
            ("meta version", new BInteger(2)),
            ("name", new BString(name)),
            ("piece length", new BInteger(pieceLength)),
            ("private", options.IsPrivate ? new BInteger(1) : null),
        };
        if (hybrid)
        {
            entries.Add(("pieces", new BString([.. ordered.SelectMany(f => f.Sha1 ?? throw new ArgumentException($"'{string.Join('/', f.Path)}' has no SHA-1 hashes for a hybrid torrent"))])));
            if (isFolder)
            {
                entries.Add(("files", V1Files(ordered, pieceLength)));
            }
            else
            {
                entries.Add(("length", new BInteger(ordered[0].Length)));
            }
        }

        var layers = ordered.Select((f, i) => (f, i))
            .Where(x => x.f.Length > pieceLength)
            .Select(x => (System.Text.Encoding.Latin1.GetString(roots[x.i]!), (BValue?)new BString(x.f.PieceRoots)))
            .ToArray();
        var root = BDictionary.From(
            ("announce", options.Trackers.Count > 0 ? new BString(options.Trackers[0]) : null),
            ("announce-list", options.Trackers.Count > 1 ? new BList(options.Trackers.Select(t => (BValue)new BList([new BString(t)])).ToList()) : null),
            ("comment", options.Comment is null ? null : new BString(options.Comment)),
            ("created by", new BString(options.CreatedBy)),
            ("creation date", options.CreationDate is { } date ? new BInteger(date.ToUnixTimeSeconds()) : null),
            ("info", BDictionary.From([.. entries])),
            ("piece layers", BDictionary.From(layers)),
            ("url-list", TorrentBuilder.WebSeedList(options.WebSeeds)));
        return BencodeWriter.Encode(root);
    }

    private static byte[]? Root(V2BuildFile f, int pieceLength)
    {
        var pieces = (f.Length + pieceLength - 1) / pieceLength;
        if (f.PieceRoots.Length != pieces * MerkleTree.HashLength || (f.Sha1 is not null && f.Sha1.Length != pieces * TorrentBuilder.HashLength))
        {
            throw new ArgumentException($"'{string.Join('/', f.Path)}' has hashes for other than its {pieces} pieces");
        }

        return f.Length == 0 ? null : f.Length <= pieceLength ? f.PieceRoots : MerkleTree.RootOfLayer(f.PieceRoots, pieceLength);
    }

    private static BDictionary Tree(IReadOnlyList<V2BuildFile> files, IReadOnlyList<byte[]?> roots)
    {
        // Built as nested mutable maps first: a folder's entries come from several files.
        var top = new SortedDictionary<string, object>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            var node = top;
            foreach (var component in files[i].Path)
            {
                var key = Key(component);
                if (!node.TryGetValue(key, out var child))
                {
                    child = new SortedDictionary<string, object>(StringComparer.Ordinal);
                    node[key] = child;
                }

                node = (SortedDictionary<string, object>)child;
            }

            node[string.Empty] = BDictionary.From(
                ("length", new BInteger(files[i].Length)),
                ("pieces root", roots[i] is { } r ? new BString(r) : null));
        }

        return ToBencode(top);
    }

    private static BDictionary ToBencode(SortedDictionary<string, object> node) =>
        BDictionary.From([.. node.Select(e => (e.Key, (BValue?)(e.Value as BDictionary ?? ToBencode((SortedDictionary<string, object>)e.Value))))]);

    /// <summary>Dictionary keys are held as Latin-1 of their raw bytes.</summary>
    private static string Key(string component) => System.Text.Encoding.Latin1.GetString(System.Text.Encoding.UTF8.GetBytes(component));

    private static BList V1Files(IReadOnlyList<V2BuildFile> files, int pieceLength)
    {
        var list = new List<BValue>();
        foreach (var f in files)
        {
            list.Add(BDictionary.From(("length", new BInteger(f.Length)), ("path", new BList([.. f.Path.Select(c => (BValue)new BString(c))]))));
            var pad = V2Layout.PadAfter(f.Length, pieceLength);
            if (pad > 0)
            {
                var n = pad.ToString(CultureInfo.InvariantCulture);
                list.Add(BDictionary.From(("attr", new BString("p")), ("length", new BInteger(pad)), ("path", new BList([new BString(".pad"), new BString(n)]))));
            }
        }

        return new BList(list);
    }
}
