using System.Security.Cryptography;
using Swarm.Protocol.Metainfo;

namespace Swarm.Protocol.PeerWire;

/// <summary>Answers a peer's BEP 52 `hash request` from a torrent's piece layers: the range asked for plus its uncle
/// hashes (counted as libtorrent counts them, <see cref="HashMessages.UncleCount"/>), or a `hash reject` when the
/// range is not one we hold (an unknown root, a layer below the pieces, a range past the layer, more proof than the
/// tree has). Only layers from the piece layer up are served: the 16 KiB leaf hashes are not kept.</summary>
public sealed class HashServing
{
    private readonly TorrentV2? _v2;
    private readonly int _pieceHeight;

    // Trees are built on the first request for a file (a hash each per node above its pieces), then reused; one
    // connection asks from one thread.
    private readonly Dictionary<string, byte[][]> _trees = new(StringComparer.Ordinal);

    public HashServing(TorrentMetainfo meta)
    {
        _v2 = meta.V2;
        _pieceHeight = MerkleTree.PieceHeight(meta.PieceLength);
    }

    public PeerMessage Answer(HashRequest r)
    {
        var reject = new HashReject(r.PiecesRoot, r.BaseLayer, r.Index, r.Length, r.ProofLayers);
        if (Tree(r.PiecesRoot) is not { } tree)
        {
            return reject;
        }

        var layer = r.BaseLayer - _pieceHeight;
        if (layer < 0 || layer >= tree.Length)
        {
            return reject;
        }

        var width = tree[layer].Length / MerkleTree.HashLength;
        if ((long)r.Index + r.Length > width)
        {
            return reject;
        }

        var rangeHeight = System.Numerics.BitOperations.Log2((uint)r.Length);
        var top = layer + rangeHeight; // the layer of the range's own root
        var uncles = HashMessages.UncleCount(r.Length, r.ProofLayers);
        if (top + uncles > tree.Length - 1)
        {
            return reject;
        }

        var hashes = new byte[(r.Length + uncles) * MerkleTree.HashLength];
        tree[layer].AsSpan(r.Index * MerkleTree.HashLength, r.Length * MerkleTree.HashLength).CopyTo(hashes);
        var node = r.Index >> rangeHeight;
        for (var i = 0; i < uncles; i++, node >>= 1)
        {
            tree[top + i].AsSpan((node ^ 1) * MerkleTree.HashLength, MerkleTree.HashLength)
                .CopyTo(hashes.AsSpan((r.Length + i) * MerkleTree.HashLength));
        }

        return new HashesReply(r.PiecesRoot, r.BaseLayer, r.Index, r.Length, r.ProofLayers, hashes);
    }

    /// <summary>The layers of a file's tree from its piece layer (padded to a power of two) up to its root, or null
    /// when the root names no file whose piece layer we hold.</summary>
    private byte[][]? Tree(byte[] root)
    {
        var key = Convert.ToHexStringLower(root);
        if (_trees.TryGetValue(key, out var tree))
        {
            return tree;
        }

        if (_v2?.Files.FirstOrDefault(f => f.PiecesRoot is { } r && r.AsSpan().SequenceEqual(root)) is not { } file
            || _v2.LayerOf(file) is not { } pieces)
        {
            return null;
        }

        _trees[key] = tree = Build(pieces, _pieceHeight);
        return tree;
    }

    /// <summary>Every layer from <paramref name="pieces"/> up, each padded to its power-of-two width.</summary>
    public static byte[][] Build(ReadOnlySpan<byte> pieces, int pieceHeight)
    {
        var width = MerkleTree.NextPowerOfTwo(pieces.Length / MerkleTree.HashLength);
        var layers = new List<byte[]>();
        var layer = new byte[width * MerkleTree.HashLength];
        pieces.CopyTo(layer);
        for (var at = pieces.Length; at < layer.Length; at += MerkleTree.HashLength)
        {
            MerkleTree.Pad(pieceHeight).CopyTo(layer.AsSpan(at));
        }

        layers.Add(layer);
        while (layer.Length > MerkleTree.HashLength)
        {
            var next = new byte[layer.Length / 2];
            for (var i = 0; i < next.Length / MerkleTree.HashLength; i++)
            {
                SHA256.HashData(layer.AsSpan(2 * i * MerkleTree.HashLength, 2 * MerkleTree.HashLength), next.AsSpan(i * MerkleTree.HashLength, MerkleTree.HashLength));
            }

            layers.Add(layer = next);
        }

        return [.. layers];
    }
}
