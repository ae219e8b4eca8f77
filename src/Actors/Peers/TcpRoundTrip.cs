using System.Buffers.Binary;
using System.Net.Sockets;

namespace Swarm.Actors.Peers;

/// <summary>Footprint (issue 14): the kernel's minimum round-trip time of a TCP connection (Linux TCP_INFO,
/// <c>tcpi_min_rtt</c>; the smoothed <c>tcpi_rtt</c> on kernels before 4.6), which <see cref="RequestPipeline.Adapt"/>
/// uses to tell a near peer (the same host, a LAN) from a far one. It is measured from the acknowledgements of what we
/// send (our requests), and the minimum is the path's own delay: the smoothed one of a 1 GiB loopback transfer on a
/// loaded machine ranged 0.2-1.8 ms (acknowledgements waiting for a core), its minimum stayed in microseconds. Null
/// where it cannot be read (another system, a closed socket).</summary>
public static class TcpRoundTrip
{
    private const int SolTcp = 6; // IPPROTO_TCP
    private const int TcpInfo = 11; // TCP_INFO
    private const int RttOffset = 68; // struct tcp_info: tcpi_rtt, microseconds, after 8 one-byte and 15 four-byte fields
    private const int MinRttOffset = 148; // tcpi_min_rtt (Linux 4.6), microseconds; all ones until the first sample

    public static TimeSpan? Of(Socket socket)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            Span<byte> info = stackalloc byte[MinRttOffset + 4];
            var length = socket.GetRawSocketOption(SolTcp, TcpInfo, info);
            var offset = length >= MinRttOffset + 4 ? MinRttOffset : RttOffset;
            return length >= offset + 4 ? TimeSpan.FromMicroseconds(BinaryPrimitives.ReadUInt32LittleEndian(info[offset..])) : null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or PlatformNotSupportedException)
        {
            return null;
        }
    }
}
