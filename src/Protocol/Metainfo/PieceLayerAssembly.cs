using System.Security.Cryptography;
using Swarm.Protocol.PeerWire;

namespace Swarm.Protocol.Metainfo;

/// <summary>Gathers the piece layers a v2 torrent read from a bare info dictionary lacks (a magnet, a replica) from
/// peers' BEP 52 `hashes`: which ranges to ask for (chunks of <see cref="ChunkLength"/> piece hashes, with the proof up
/// to the file's pieces root, as libtorrent asks), whether an answer proves itself against that root, and when a
/// file's layer is whole. Immutable: each accepted answer gives a new assembly.</summary>
public sealed class PieceLayerAssembly
{
    /// <summary>Piece hashes per request: libtorrent asks in 512s and accepts nothing else at the piece layer.</summary>
    public const int ChunkLength = 512;

    private readonly TorrentMetainfo _meta;
    private readonly IReadOnlyDictionary<string, byte[]?[]> _chunks; // by pieces root (hex): the verified chunks so far

    private PieceLayerAssembly(TorrentMetainfo meta, IReadOnlyDictionary<string, byte[]?[]> chunks)
    {
        _meta = meta;
        _chunks = chunks;
    }

    /// <summary>The files of <paramref name="meta"/> longer than a piece whose layer is not known yet.</summary>
    public static PieceLayerAssembly For(TorrentMetainfo meta)
    {
        var chunks = new Dictionary<string, byte[]?[]>(StringComparer.Ordinal);
        if (meta.V2 is { } v2)
        {
            foreach (var file in v2.Files)
            {
                if (file.PiecesRoot is { } root && file.Length > meta.PieceLength && v2.LayerOf(file) is null)
                {
                    chunks[Convert.ToHexStringLower(root)] = new byte[]?[ChunkCount(file, meta.PieceLength)];
                }
            }
        }

        return new PieceLayerAssembly(meta, chunks);
    }

    public bool IsComplete => _chunks.Values.All(c => c.All(x => x is not null));

    /// <summary>How many requests fetch every piece layer of <paramref name="meta"/> once.</summary>
    public static int RequestsForAll(TorrentMetainfo meta) =>
        meta.V2?.Files.Where(f => f.PiecesRoot is not null && f.Length > meta.PieceLength).Sum(f => ChunkCount(f, meta.PieceLength)) ?? 0;

    /// <summary>The requests still unanswered, in file order.</summary>
    public IEnumerable<HashRequest> Missing()
    {
        foreach (var file in _meta.V2?.Files ?? [])
        {
            if (file.PiecesRoot is not { } root || !_chunks.TryGetValue(Convert.ToHexStringLower(root), out var chunks))
            {
                continue;
            }

            for (var i = 0; i < chunks.Length; i++)
            {
                if (chunks[i] is null)
                {
                    yield return Request(file, i);
                }
            }
        }
    }

    /// <summary>The assembly with <paramref name="reply"/>'s range added, or null when the reply does not answer a
    /// request of ours or does not hash up to the file's root (a lying peer).</summary>
    public PieceLayerAssembly? Accept(HashesReply reply)
    {
        var key = Convert.ToHexStringLower(reply.PiecesRoot);
        if (!_chunks.TryGetValue(key, out var chunks) || _meta.V2!.Files.FirstOrDefault(f => f.PiecesRoot is { } r && r.AsSpan().SequenceEqual(reply.PiecesRoot)) is not { } file)
        {
            return null;
        }

        var chunk = reply.Index / ChunkLength;
        var asked = Request(file, chunk);
        if (reply.Index % ChunkLength != 0 || chunk >= chunks.Length || (reply.BaseLayer, reply.Index, reply.Length, reply.ProofLayers) != (asked.BaseLayer, asked.Index, asked.Length, asked.ProofLayers)
            || reply.Hashes.Length != (asked.Length + HashMessages.UncleCount(asked.Length, asked.ProofLayers)) * MerkleTree.HashLength
            || !Proves(reply.Hashes, asked, file.PiecesRoot!))
        {
            return null;
        }

        var next = _chunks.ToDictionary(e => e.Key, e => e.Key == key ? (byte[]?[])e.Value.Clone() : e.Value, StringComparer.Ordinal);
        next[key][chunk] = reply.Hashes[..(asked.Length * MerkleTree.HashLength)];
        return new PieceLayerAssembly(_meta, next);
    }

    /// <summary>The layers of every file complete so far, as <see cref="PieceLayers.Encode"/> keeps them (hex root →
    /// layer), each checked against its root.</summary>
    public IReadOnlyDictionary<string, byte[]> Layers()
    {
        var layers = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in _meta.V2?.Files ?? [])
        {
            if (file.PiecesRoot is not { } root || !_chunks.TryGetValue(Convert.ToHexStringLower(root), out var chunks) || chunks.Any(c => c is null))
            {
                continue;
            }

            var pieces = (file.Length + _meta.PieceLength - 1) / _meta.PieceLength;
            var layer = chunks.SelectMany(c => c!).Take((int)pieces * MerkleTree.HashLength).ToArray();
            PieceLayers.Check(file, layer, _meta.PieceLength);
            layers[Convert.ToHexStringLower(root)] = layer;
        }

        return layers;
    }

    /// <summary><paramref name="meta"/> with every complete layer of this assembly attached.</summary>
    public TorrentMetainfo AttachTo(TorrentMetainfo meta)
    {
        if (meta.V2 is not { } v2)
        {
            return meta;
        }

        var all = new Dictionary<string, byte[]>(v2.PieceLayers, StringComparer.Ordinal);
        foreach (var (root, layer) in Layers())
        {
            all[root] = layer;
        }

        return meta with { V2 = v2 with { PieceLayers = all } };
    }

    private static int Width(V2File file, int pieceLength) =>
        (int)MerkleTree.NextPowerOfTwo((file.Length + pieceLength - 1) / pieceLength);

    private static int ChunkCount(V2File file, int pieceLength)
    {
        var pieces = (file.Length + pieceLength - 1) / pieceLength;
        return (int)((pieces + ChunkLength - 1) / ChunkLength);
    }

    /// <summary>Chunk <paramref name="chunk"/> of the file's piece layer with every uncle up to its root: libtorrent
    /// counts proof layers from the base layer, the chunk's own subtree included.</summary>
    private HashRequest Request(V2File file, int chunk)
    {
        var width = Width(file, _meta.PieceLength);
        var length = Math.Min(ChunkLength, width);
        var rangeHeight = System.Numerics.BitOperations.Log2((uint)length);
        var depth = System.Numerics.BitOperations.Log2((uint)width) - rangeHeight;
        return new HashRequest(file.PiecesRoot!, MerkleTree.PieceHeight(_meta.PieceLength), chunk * length, length, rangeHeight - 1 + depth);
    }

    /// <summary>Whether the range and uncles in <paramref name="hashes"/> hash up to <paramref name="root"/>.</summary>
    public static bool Proves(ReadOnlySpan<byte> hashes, HashRequest asked, ReadOnlySpan<byte> root)
    {
        var range = hashes[..(asked.Length * MerkleTree.HashLength)];
        var node = MerkleTree.Root(range, asked.Length, asked.BaseLayer);
        var position = asked.Index / asked.Length;
        Span<byte> pair = stackalloc byte[MerkleTree.HashLength * 2];
        for (var at = range.Length; at < hashes.Length; at += MerkleTree.HashLength, position >>= 1)
        {
            var uncle = hashes.Slice(at, MerkleTree.HashLength);
            (position % 2 == 0 ? node : uncle).CopyTo(pair);
            (position % 2 == 0 ? uncle : node).CopyTo(pair[MerkleTree.HashLength..]);
            node = SHA256.HashData(pair);
        }

        return position == 0 && node.AsSpan().SequenceEqual(root);
    }
}
