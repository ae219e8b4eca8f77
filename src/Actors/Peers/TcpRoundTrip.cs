using System.Buffers.Binary;
using System.Net.Sockets;

namespace Swarm.Actors.Peers;

/// <summary>Footprint (issue 14): the kernel's smoothed round-trip time of a TCP connection (Linux TCP_INFO,
/// <c>tcpi_rtt</c>), which <see cref="RequestPipeline.Adapt"/> uses to tell a near peer (the same host, a LAN) from a
/// far one. It is measured from the acknowledgements of what we send (our requests), so the peer's and our own
/// processing are not in it. Null where it cannot be read (another system, a closed socket).</summary>
public static class TcpRoundTrip
{
    private const int SolTcp = 6; // IPPROTO_TCP
    private const int TcpInfo = 11; // TCP_INFO
    private const int RttOffset = 68; // struct tcp_info: tcpi_rtt, microseconds, after 8 one-byte and 15 four-byte fields

    public static TimeSpan? Of(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            Span<byte> info = stackalloc byte[RttOffset + 8];
            var length = socket.GetRawSocketOption(SolTcp, TcpInfo, info);
            return length >= RttOffset + 4 ? TimeSpan.FromMicroseconds(BinaryPrimitives.ReadUInt32LittleEndian(info[RttOffset..])) : null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or PlatformNotSupportedException)
        {
            return null;
        }
    }
}
