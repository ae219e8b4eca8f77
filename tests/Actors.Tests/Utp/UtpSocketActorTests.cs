using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Swarm.Actors.Configuration;
using Swarm.Actors.Dht;
using Swarm.Actors.Peers;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Utp;
using Swarm.Protocol.Utp;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Utp;

/// <summary>Two uTP endpoints over real UDP on loopback, each on its own <see cref="UdpPeerSocketActor"/>: a transfer
/// both ways through the streams of their links, and a SYN flood from a raw socket. The clock is the system's: these
/// are real packets on a real socket, whose losses (a full socket buffer on a loaded machine) are repaired by
/// retransmit timers that must run.</summary>
public sealed class UtpSocketActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly UtpSettings Settings = UtpSettings.Default with { Enabled = true };

    [Fact]
    public async Task Two_endpoints_move_mebibytes_both_ways_byte_exact()
    {
        var (a, _) = Endpoint();
        var (b, bAddress) = Endpoint();
        var listener = CreateTestProbe();
        b.Tell(new UtpSocketMessages.AcceptUtpWith(listener.Ref));

        using var cts = new CancellationTokenSource(Wait);
        using var dialled = await new UtpDialer(a).ConnectAsync(bAddress, cts.Token);
        Assert.Equal(PeerTransport.Utp, dialled.Transport);
        Assert.Equal(bAddress, dialled.Remote);

        // The acceptor hands the link to its listener only once the dialler spoke after its SYN.
        await dialled.Stream.WriteAsync(new byte[] { 42 }, cts.Token);
        using var accepted = listener.ExpectMsg<PeerListenerMessages.IncomingLink>(Wait).Link;
        Assert.Equal(PeerTransport.Utp, accepted.Transport);
        Assert.Equal(42, (await ReadExactly(accepted.Stream, 1, cts.Token))[0]);

        var ab = Payload(4 * 1024 * 1024, 1);
        var ba = Payload(1024 * 1024, 2);
        var sendAb = Send(dialled.Stream, ab, cts.Token);
        var sendBa = Send(accepted.Stream, ba, cts.Token);
        var atB = ReadExactly(accepted.Stream, ab.Length, cts.Token);
        var atA = ReadExactly(dialled.Stream, ba.Length, cts.Token);
        await Task.WhenAll(sendAb, sendBa, atB, atA);

        Assert.Equal(ab, await atB);
        Assert.Equal(ba, await atA);

        // A graceful end: the other side reads the end of the stream.
        dialled.Shutdown();
        var buffer = new byte[16];
        Assert.Equal(0, await accepted.Stream.ReadAsync(buffer, cts.Token));
    }

    [Fact]
    public async Task A_dial_to_a_port_without_utp_fails_as_refused()
    {
        var (a, _) = Endpoint();
        var (b, bAddress) = Endpoint(); // uTP up but not accepting (no listener yet): its SYNs are answered with RESET
        await b.Ask<UtpSocketMessages.UtpStatus>(new UtpSocketMessages.GetUtpStatus(), Wait);

        using var cts = new CancellationTokenSource(Wait);
        var e = await Assert.ThrowsAsync<UtpRefusedException>(() => new UtpDialer(a).ConnectAsync(bAddress, cts.Token));
        Assert.Contains("refused", e.Message);
    }

    [Fact]
    public async Task A_syn_flood_holds_at_most_the_half_open_limit_and_draws_no_more_than_it_sent()
    {
        var (b, bAddress) = Endpoint();
        var listener = CreateTestProbe();
        b.Tell(new UtpSocketMessages.AcceptUtpWith(listener.Ref));
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));

        const int syns = 2000;
        var sentBytes = 0L;
        for (var i = 0; i < syns; i++)
        {
            var syn = new UtpPacket(UtpType.Syn, (ushort)(i * 2), (uint)i, 0, 1 << 20, (ushort)i, 0, null, default).Encode();
            sentBytes += raw.SendTo(syn, bAddress);
            if (i % 100 == 99)
            {
                // A round trip through the actor now and then, so a loaded machine's socket buffer does not swallow
                // the whole flood before the actor reads any of it.
                await b.Ask<UtpSocketMessages.UtpStatus>(new UtpSocketMessages.GetUtpStatus(), Wait);
            }
        }

        var limit = Settings.Limits.MaxHalfOpen;
        await AwaitAssertAsync(
            async () =>
            {
                var s = await b.Ask<UtpSocketMessages.UtpStatus>(new UtpSocketMessages.GetUtpStatus(), Wait);
                // The fact: SYNs beyond the cap arrived and were dropped unanswered (how many the kernel's socket
                // buffer lost on the way is the machine's business, not ours).
                Assert.True(s.SynsDropped > 0, $"{s.SynsDropped} dropped, {s.Connections} open");
                Assert.True(s.Connections <= limit && s.HalfOpen <= limit, $"{s.Connections} connections, {s.HalfOpen} half-open");
            },
            Wait);

        // What came back: at most one 20-byte STATE per accepted SYN, never more bytes than the flood sent.
        raw.ReceiveTimeout = 2000;
        var buffer = new byte[2048];
        var replies = 0;
        var replyBytes = 0L;
        try
        {
            while (true)
            {
                var n = raw.Receive(buffer);
                replies++;
                replyBytes += n;
                Assert.Equal(UtpPacket.HeaderSize, n);
            }
        }
        catch (SocketException)
        {
            // no more replies
        }

        Assert.True(replies <= limit, $"{replies} replies to a flood of {syns} SYNs");
        Assert.True(replyBytes <= sentBytes);
        listener.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    private (IActorRef Utp, IPEndPoint Address) Endpoint()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.ReceiveBufferSize = 4 * 1024 * 1024;
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var address = (IPEndPoint)socket.LocalEndPoint!;
        var udp = Sys.ActorOf(UdpPeerSocketActor.Props(socket));
        var utp = Sys.ActorOf(UtpSocketActor.Props(udp, Settings, TimeProvider.System));
        return (utp, address);
    }

    private static byte[] Payload(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task Send(Stream stream, byte[] data, CancellationToken ct)
    {
        for (var at = 0; at < data.Length; at += 16 * 1024)
        {
            await stream.WriteAsync(data.AsMemory(at, Math.Min(16 * 1024, data.Length - at)), ct);
        }
    }

    private static async Task<byte[]> ReadExactly(Stream stream, int length, CancellationToken ct)
    {
        var bytes = new byte[length];
        await stream.ReadExactlyAsync(bytes, ct);
        return bytes;
    }
}
