using System.Buffers.Binary;
using System.Numerics;

namespace Swarm.Actors.TrackerServer;

/// <summary>SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit pseudo-random function for short inputs, made
/// for exactly what the tracker's connection ids need (an unforgeable tag over a few bytes without a table) at a
/// hundredth of an HMAC's cost: no call into the crypto library, no state to allocate.</summary>
public static class SipHash
{
    public const int KeyLength = 16;

    public static ulong Hash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"a SipHash key is {KeyLength} bytes", nameof(key));
        }

        var k0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        var k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
        var v0 = k0 ^ 0x736f6d6570736575UL;
        var v1 = k1 ^ 0x646f72616e646f6dUL;
        var v2 = k0 ^ 0x6c7967656e657261UL;
        var v3 = k1 ^ 0x7465646279746573UL;
        var whole = message.Length & ~7;
        for (var i = 0; i < whole; i += 8)
        {
            var m = BinaryPrimitives.ReadUInt64LittleEndian(message[i..]);
            v3 ^= m;
            Round(ref v0, ref v1, ref v2, ref v3);
            Round(ref v0, ref v1, ref v2, ref v3);
            v0 ^= m;
        }

        // The last block: the remaining bytes, and the message's length in its top byte.
        var last = (ulong)(message.Length & 0xff) << 56;
        for (var i = 0; i < message.Length - whole; i++)
        {
            last |= (ulong)message[whole + i] << (8 * i);
        }

        v3 ^= last;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= last;
        v2 ^= 0xff;
        for (var i = 0; i < 4; i++)
        {
            Round(ref v0, ref v1, ref v2, ref v3);
        }

        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1;
        v1 = BitOperations.RotateLeft(v1, 13);
        v1 ^= v0;
        v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3;
        v3 = BitOperations.RotateLeft(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = BitOperations.RotateLeft(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = BitOperations.RotateLeft(v1, 17);
        v1 ^= v2;
        v2 = BitOperations.RotateLeft(v2, 32);
    }
}
