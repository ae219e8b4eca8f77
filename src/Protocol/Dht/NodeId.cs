using System.Numerics;
using System.Security.Cryptography;

namespace Swarm.Protocol.Dht;

/// <summary>A 160-bit DHT node id (or info-hash as a lookup target) and the XOR metric of BEP 5.</summary>
public readonly record struct NodeId
{
    public const int Length = 20;
    private readonly byte[] _bytes;

    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"a node id is {Length} bytes, not {bytes.Length}");
        }

        _bytes = bytes.ToArray();
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public byte[] ToArray() => (byte[])_bytes.Clone();

    public static NodeId Random() => new(RandomNumberGenerator.GetBytes(Length));

    public static NodeId FromHex(string hex) => new(Convert.FromHexString(hex));

    public string Hex => Convert.ToHexString(_bytes).ToLowerInvariant();

    /// <summary>The XOR distance to <paramref name="other"/> as an unsigned big-endian number (comparable).</summary>
    public BigInteger DistanceTo(NodeId other)
    {
        Span<byte> x = stackalloc byte[Length];
        for (var i = 0; i < Length; i++)
        {
            x[i] = (byte)(_bytes[i] ^ other._bytes[i]);
        }

        return new BigInteger(x, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>How many leading bits this id shares with <paramref name="other"/> (160 when equal).</summary>
    public int CommonPrefixBits(NodeId other)
    {
        for (var i = 0; i < Length; i++)
        {
            var x = _bytes[i] ^ other._bytes[i];
            if (x != 0)
            {
                return (i * 8) + BitOperations.LeadingZeroCount((uint)x) - 24;
            }
        }

        return Length * 8;
    }

    /// <summary>-1, 0 or 1 as <paramref name="a"/> is closer to, as close as, or farther from this id than <paramref name="b"/>.</summary>
    public int CompareDistance(NodeId a, NodeId b)
    {
        for (var i = 0; i < Length; i++)
        {
            var da = _bytes[i] ^ a._bytes[i];
            var db = _bytes[i] ^ b._bytes[i];
            if (da != db)
            {
                return da < db ? -1 : 1;
            }
        }

        return 0;
    }

    public bool Equals(NodeId other) => _bytes is null ? other._bytes is null : other._bytes is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override int GetHashCode() => _bytes is null ? 0 : BitConverter.ToInt32(_bytes, 0);

    public override string ToString() => Hex;
}
