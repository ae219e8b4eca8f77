using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Swarm.Actors.Dht;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Dht.UdpPeerSocketMessages;

namespace Swarm.Actors.Tests.Dht;

/// <summary>The UDP peer port's socket actor as uTP uses it (issue 16, speed): a burst read in batches still reaches each
/// handler complete and in order, the DHT's datagrams apart, stamped with the uTP clock when read; batched sends all go
/// out; registering uTP enlarges the socket's kernel buffers (within what the system allows).</summary>
public sealed class UdpPeerSocketActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_burst_reaches_the_utp_and_krpc_handlers_complete_and_in_order()
    {
        using var socket = Bound();
        var udp = Sys.ActorOf(UdpPeerSocketActor.Props(socket));
        var utp = CreateTestProbe();
        var krpc = CreateTestProbe();
        udp.Tell(new RegisterKrpcHandler(krpc.Ref));
        udp.Tell(new RegisterUtpHandler(utp.Ref) { ReceiveBatch = 16, SocketReceiveBuffer = 1024 * 1024 });
        await udp.Ask<UdpCounters>(new GetUdpCounters(), Wait); // both registrations are in

        using var raw = Bound();
        const int count = 300;
        for (var i = 0; i < count; i++)
        {
            // Every tenth is a KRPC datagram ('d…'), the rest uTP-like (first byte a version/type byte).
            raw.SendTo(i % 10 == 0 ? [(byte)'d', (byte)(i >> 8), (byte)i] : [0x41, (byte)(i >> 8), (byte)i], socket.LocalEndPoint!);
        }

        var utpSeen = new List<int>();
        while (utpSeen.Count < count - (count / 10))
        {
            var batch = utp.ExpectMsg<UtpDatagrams>(Wait);
            Assert.InRange(batch.Datagrams.Count, 1, 16);
            foreach (var d in batch.Datagrams)
            {
                Assert.Equal(raw.LocalEndPoint, d.From);
                utpSeen.Add((d.Bytes[1] << 8) | d.Bytes[2]);
            }
        }

        var krpcSeen = new List<int>();
        while (krpcSeen.Count < count / 10)
        {
            var d = krpc.ExpectMsg<KrpcDatagram>(Wait);
            krpcSeen.Add((d.Bytes[1] << 8) | d.Bytes[2]);
        }

        Assert.Equal(Enumerable.Range(0, count).Where(i => i % 10 != 0), utpSeen);
        Assert.Equal(Enumerable.Range(0, count).Where(i => i % 10 == 0), krpcSeen);
        var counters = await udp.Ask<UdpCounters>(new GetUdpCounters(), Wait);
        Assert.Equal((count / 10, count - (count / 10)), (counters.Krpc, counters.Reserved));
    }

    [Fact]
    public async Task Utp_batches_carry_the_time_they_left_the_socket_by_the_clock_given()
    {
        using var socket = Bound();
        using var raw = Bound();
        var clock = new ManualClock();
        clock.Advance(TimeSpan.FromSeconds(5));
        var udp = Sys.ActorOf(UdpPeerSocketActor.Props(socket));
        var utp = CreateTestProbe();
        udp.Tell(new RegisterUtpHandler(utp.Ref) { Clock = clock });
        await udp.Ask<UdpCounters>(new GetUdpCounters(), Wait);

        raw.SendTo(new byte[] { 0x41, 1 }, socket.LocalEndPoint!);
        Assert.Equal(TimeSpan.FromSeconds(5).Ticks, utp.ExpectMsg<UtpDatagrams>(Wait).ReceivedAt);

        // Moving the clock after the read changes nothing already read; the next datagram carries the new time.
        clock.Advance(TimeSpan.FromSeconds(2));
        raw.SendTo(new byte[] { 0x41, 2 }, socket.LocalEndPoint!);
        var later = utp.ExpectMsg<UtpDatagrams>(Wait);
        Assert.Equal(2, later.Datagrams[0].Bytes[1]);
        Assert.Equal(TimeSpan.FromSeconds(7).Ticks, later.ReceivedAt);
    }

    [Fact]
    public void A_batch_of_sends_goes_out_whole_and_in_order()
    {
        using var socket = Bound();
        using var raw = Bound();
        raw.ReceiveBufferSize = 1024 * 1024;
        raw.ReceiveTimeout = (int)Wait.TotalMilliseconds;
        var udp = Sys.ActorOf(UdpPeerSocketActor.Props(socket));
        var to = (IPEndPoint)raw.LocalEndPoint!;
        udp.Tell(new SendDatagrams([.. Enumerable.Range(0, 50).Select(i => new SendDatagram([0x41, (byte)i], to))]));

        var buffer = new byte[16];
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(2, raw.Receive(buffer));
            Assert.Equal(i, buffer[1]);
        }
    }

    [Fact]
    public async Task Registering_utp_enlarges_the_socket_buffers_within_the_system_cap()
    {
        using var socket = Bound();
        var before = socket.ReceiveBufferSize;
        const int asked = 1024 * 1024;
        var udp = Sys.ActorOf(UdpPeerSocketActor.Props(socket));
        udp.Tell(new RegisterUtpHandler(CreateTestProbe().Ref) { SocketReceiveBuffer = asked, SocketSendBuffer = asked });
        await udp.Ask<UdpCounters>(new GetUdpCounters(), Wait);

        // Linux grants min(asked, net.core.rmem_max) and reports it doubled; elsewhere the value asked is kept.
        var cap = SystemCap("/proc/sys/net/core/rmem_max") ?? asked;
        Assert.True(socket.ReceiveBufferSize >= Math.Min(asked, cap), $"SO_RCVBUF {socket.ReceiveBufferSize} (was {before}), asked {asked}, cap {cap}");
        var sendCap = SystemCap("/proc/sys/net/core/wmem_max") ?? asked;
        Assert.True(socket.SendBufferSize >= Math.Min(asked, sendCap), $"SO_SNDBUF {socket.SendBufferSize}, asked {asked}, cap {sendCap}");
    }

    private static Socket Bound()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static int? SystemCap(string path) => File.Exists(path) ? int.Parse(File.ReadAllText(path).Trim(), System.Globalization.CultureInfo.InvariantCulture) : null;
}
