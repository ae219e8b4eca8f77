using System.Buffers.Binary;
using System.Net;

namespace Swarm.Actors.TrackerServer;

/// <summary>A peer's IP address as two numbers (IPv4 in its v4-mapped IPv6 form), so that the tracker remembers
/// peers and counts addresses without an <see cref="IPAddress"/> object (and its strings) per peer.</summary>
public readonly record struct PeerAddress(ulong High, ulong Low)
{
    private const ulong MappedPrefix = 0xFFFF_0000_0000UL;

    /// <summary>An IPv4 address and the same address arriving v4-mapped on a dual-mode socket are one.</summary>
    public static PeerAddress From(IPAddress address)
    {
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            Span<byte> v4 = stackalloc byte[4];
            address.TryWriteBytes(v4, out _);
            return new PeerAddress(0, MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(v4));
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);
        return new PeerAddress(BinaryPrimitives.ReadUInt64BigEndian(v6), BinaryPrimitives.ReadUInt64BigEndian(v6[8..]));
    }

    /// <summary>The address and port of a received datagram's source, read from the socket address as the kernel
    /// wrote it (sockaddr_in / sockaddr_in6: port at 2, IPv4 at 4, IPv6 at 8), without an object per datagram.</summary>
    public static PeerAddress From(SocketAddress source, out ushort port)
    {
        var raw = source.Buffer.Span;
        port = BinaryPrimitives.ReadUInt16BigEndian(raw[2..]);
        return source.Family == System.Net.Sockets.AddressFamily.InterNetwork
            ? new PeerAddress(0, MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(raw[4..]))
            : new PeerAddress(BinaryPrimitives.ReadUInt64BigEndian(raw[8..]), BinaryPrimitives.ReadUInt64BigEndian(raw[16..]));
    }

    /// <summary>An IPv4 address given as a number.</summary>
    public static PeerAddress FromV4(uint v4) => new(0, MappedPrefix | v4);

    public bool IsV4 => High == 0 && (Low >> 32) == 0xFFFF;

    /// <summary>The IPv4 address as a number (meaningful when <see cref="IsV4"/>).</summary>
    public uint V4 => (uint)Low;

    public void WriteV6(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Low);
    }

    public IPAddress ToIPAddress()
    {
        if (IsV4)
        {
            Span<byte> v4 = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(v4, V4);
            return new IPAddress(v4);
        }

        Span<byte> v6 = stackalloc byte[16];
        WriteV6(v6);
        return new IPAddress(v6);
    }

    public override string ToString() => ToIPAddress().ToString();
}
