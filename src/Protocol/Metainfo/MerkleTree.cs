using System.Security.Cryptography;

namespace Swarm.Protocol.Metainfo;

/// <summary>BEP 52's per-file SHA-256 merkle trees: 16 KiB leaves, each layer padded to a power of two. A pad leaf is
/// 32 zero bytes and a pad node above it the hash of two pads of the level below, so a file's root and its pieces'
/// roots agree whichever layer one starts from.</summary>
public static class MerkleTree
{
    public const int BlockLength = 16 * 1024;
    public const int HashLength = 32;

    /// <summary>Pads by height (0 = a leaf); 64 levels cover any file a torrent may hold.</summary>
    private static readonly byte[][] Pads = BuildPads(64);

    /// <summary>The pad node of a subtree <paramref name="height"/> levels above the leaves.</summary>
    public static ReadOnlySpan<byte> Pad(int height) => Pads[height];

    /// <summary>How many 16 KiB leaves hold <paramref name="length"/> bytes.</summary>
    public static long BlockCount(long length) => (length + BlockLength - 1) / BlockLength;

    /// <summary>The SHA-256 of each 16 KiB block of <paramref name="data"/> (the last one short), one after the other.</summary>
    public static byte[] LeafHashes(ReadOnlySpan<byte> data)
    {
        var count = (int)BlockCount(data.Length);
        var hashes = new byte[count * HashLength];
        for (var i = 0; i < count; i++)
        {
            var offset = i * BlockLength;
            SHA256.HashData(data.Slice(offset, Math.Min(BlockLength, data.Length - offset)), hashes.AsSpan(i * HashLength, HashLength));
        }

        return hashes;
    }

    /// <summary>The root over <paramref name="nodes"/> (concatenated hashes, all of one level
    /// <paramref name="height"/> above the leaves), padded to <paramref name="width"/> nodes with that level's pad.</summary>
    public static byte[] Root(ReadOnlySpan<byte> nodes, long width, int height)
    {
        if (nodes.Length % HashLength != 0 || width <= 0 || (width & (width - 1)) != 0 || nodes.Length / HashLength > width)
        {
            throw new ArgumentException($"{nodes.Length / HashLength} nodes do not fit a power-of-two width of {width}");
        }

        var count = nodes.Length / HashLength;
        if (width == 1)
        {
            return count == 1 ? nodes.ToArray() : Pad(height).ToArray();
        }

        // Only the real nodes are hashed layer by layer; whole pad subtrees come from the table.
        var layer = nodes.ToArray();
        Span<byte> pair = stackalloc byte[HashLength * 2];
        for (var w = width; w > 1; w /= 2, height++)
        {
            var parents = (count + 1) / 2;
            var next = new byte[Math.Max(parents, 1) * HashLength];
            for (var i = 0; i < parents; i++)
            {
                layer.AsSpan(2 * i * HashLength, HashLength).CopyTo(pair);
                var right = 2 * i + 1 < count ? layer.AsSpan((2 * i + 1) * HashLength, HashLength) : Pad(height);
                right.CopyTo(pair[HashLength..]);
                SHA256.HashData(pair, next.AsSpan(i * HashLength, HashLength));
            }

            if (parents == 0)
            {
                Pad(height + 1).CopyTo(next);
            }

            layer = next;
            count = Math.Max(parents, 1);
        }

        return layer;
    }

    /// <summary>The pieces root of a file held whole in <paramref name="data"/>: its leaves padded to a power of two.</summary>
    public static byte[] FileRoot(ReadOnlySpan<byte> data)
    {
        var leaves = LeafHashes(data);
        return Root(leaves, NextPowerOfTwo(leaves.Length / HashLength), 0);
    }

    /// <summary>One entry of a piece layer: the root of the piece's subtree of <paramref name="pieceLength"/> / 16 KiB
    /// leaves (a file's last piece padded with zero leaves).</summary>
    public static byte[] PieceRoot(ReadOnlySpan<byte> data, int pieceLength) =>
        Root(LeafHashes(data), pieceLength / BlockLength, 0);

    /// <summary>The pieces root a file's piece layer stands for: the layer padded to a power of two with pads of
    /// piece height.</summary>
    public static byte[] RootOfLayer(ReadOnlySpan<byte> layer, int pieceLength) =>
        Root(layer, NextPowerOfTwo(layer.Length / HashLength), PieceHeight(pieceLength));

    /// <summary>How many levels a piece's subtree has above its leaves.</summary>
    public static int PieceHeight(int pieceLength) => System.Numerics.BitOperations.Log2((uint)(pieceLength / BlockLength));

    public static long NextPowerOfTwo(long n) => n <= 1 ? 1 : (long)System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)n);

    private static byte[][] BuildPads(int levels)
    {
        var pads = new byte[levels][];
        pads[0] = new byte[HashLength];
        var pair = new byte[HashLength * 2];
        for (var i = 1; i < levels; i++)
        {
            pads[i - 1].CopyTo(pair, 0);
            pads[i - 1].CopyTo(pair, HashLength);
            pads[i] = SHA256.HashData(pair);
        }

        return pads;
    }
}
