using System.Net;
using System.Net.Sockets;
using Swarm.Actors.Peers;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

/// <summary>Footprint (issue 14): a TCP link knows its round trip from the kernel, which the request pipeline uses to
/// tell a near peer from a far one.</summary>
public sealed class TcpRoundTripTests
{
    [Fact]
    public async Task A_tcp_link_on_linux_reads_its_round_trip_from_the_kernel_and_a_closed_one_reads_none()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        using var server = await listener.AcceptAsync();
        var link = PeerLink.OverTcp(client);
        // Data acknowledged at least once: the kernel has a round-trip sample.
        await link.Stream.WriteAsync(new byte[] { 1 });
        await link.Stream.FlushAsync();
        Assert.Equal(1, await server.ReceiveAsync(new byte[1]));

        var roundTrip = link.RoundTrip();

        Assert.NotNull(roundTrip);
        Assert.InRange(roundTrip.Value, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(1)); // loopback: microseconds
        Assert.Equal(roundTrip.HasValue, link.Secured(new MemoryStream()).RoundTrip().HasValue); // kept through encryption
        link.Dispose();
        Assert.Null(link.RoundTrip());
    }
}
