using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Swarm.Protocol.Dht;

/// <summary>BEP 42 node ids: the first 21 bits come from a CRC32-C of the node's masked external address, so a node
/// cannot choose where in the id space it sits (and flood one region of it) without controlling many addresses.</summary>
public static class Bep42
{
    private static readonly byte[] V4Mask = [0x03, 0x0f, 0x3f, 0xff];
    private static readonly byte[] V6Mask = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

    /// <summary>Whether BEP 42 applies: it is meant for public addresses; local ones are exempt.</summary>
    public static bool Applies(IPAddress address) => !AddressRules.IsLocal(address);

    /// <summary>A fresh id for <paramref name="address"/> (random but for its first 21 bits and its last byte).</summary>
    public static NodeId Derive(IPAddress address) => Derive(address, (byte)RandomNumberGenerator.GetInt32(256), RandomNumberGenerator.GetBytes(NodeId.Length));

    public static NodeId Derive(IPAddress address, byte r, ReadOnlySpan<byte> random)
    {
        var crc = Crc(address, r);
        var id = random[..NodeId.Length].ToArray();
        id[0] = (byte)(crc >> 24);
        id[1] = (byte)(crc >> 16);
        id[2] = (byte)((id[2] & 0x07u) | ((crc >> 8) & 0xf8u));
        id[19] = r;
        return new NodeId(id);
    }

    /// <summary>Whether <paramref name="id"/> is one <paramref name="address"/> may use; local addresses pass always.</summary>
    public static bool IsValid(NodeId id, IPAddress address)
    {
        if (!Applies(address))
        {
            return true;
        }

        var b = id.Bytes;
        var crc = Crc(address, b[19]);
        return b[0] == (byte)(crc >> 24) && b[1] == (byte)(crc >> 16) && (b[2] & 0xf8) == ((crc >> 8) & 0xf8);
    }

    private static uint Crc(IPAddress address, byte r)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var ip = address.GetAddressBytes();
        var mask = address.AddressFamily == AddressFamily.InterNetwork ? V4Mask : V6Mask;
        var masked = new byte[mask.Length];
        for (var i = 0; i < mask.Length; i++)
        {
            masked[i] = (byte)(ip[i] & mask[i]);
        }

        masked[0] |= (byte)((r & 0x7) << 5);
        return Crc32C(masked);
    }

    private static uint Crc32C(ReadOnlySpan<byte> data)
    {
        // Castagnoli polynomial (reflected); System.IO.Hashing's Crc32 is the IEEE one.
        var crc = 0xffffffffu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
