using System.Net;
using System.Net.Sockets;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.TrackerServer;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.TrackerServer;

/// <summary>The UDP front end over a loopback socket, on the tracker's clock.</summary>
public sealed class UdpTrackerActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Announces_are_answered_while_the_connection_id_lives_then_refused()
    {
        var clock = new ManualClock();
        var settings = TestNodes.Settings.TrackerServer;
        var registry = Sys.ActorOf(TrackerRegistryActor.Props(settings, clock));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var tracker = (IPEndPoint)socket.LocalEndPoint!;
        Sys.ActorOf(UdpTrackerActor.Props(socket, registry, settings, clock));
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        udp.Connect(tracker);
        var request = new AnnounceRequest(new InfoHash(new byte[20]), new byte[20], 6881, 0, 0, 0, AnnounceEvent.Started);

        var connectionId = UdpTrackerCodec.ParseConnect(await Exchange(udp, UdpTrackerCodec.Connect(1)), 1);
        clock.Advance(TimeSpan.FromSeconds(119)); // the manual clock starts on a minute: still the next one
        var answer = UdpTrackerCodec.ParseAnnounce(await Exchange(udp, UdpTrackerCodec.Announce(connectionId, 2, request)), 2);
        Assert.Equal(1, answer.Seeders);
        Assert.Equal(0, answer.Leechers);

        clock.Advance(TimeSpan.FromSeconds(1));
        var reply = await Exchange(udp, UdpTrackerCodec.Announce(connectionId, 3, request));
        var refused = Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseAnnounce(reply, 3));
        Assert.Contains("connection id", refused.Message);
    }

    [Fact]
    public async Task The_swarms_answer_goes_out_from_its_sender_and_an_unanswered_announce_is_told_busy_after_the_ask_timeout()
    {
        var clock = new ManualClock();
        var settings = TestNodes.Settings.TrackerServer with { AskTimeout = TimeSpan.FromSeconds(1), UdpMaxInFlight = 1 };
        var registry = CreateTestProbe();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Sys.ActorOf(UdpTrackerActor.Props(socket, registry, settings, clock));
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        udp.Connect((IPEndPoint)socket.LocalEndPoint!);
        var request = new AnnounceRequest(new InfoHash(new byte[20]), new byte[20], 6881, 0, 0, 5, AnnounceEvent.Started);
        var connectionId = UdpTrackerCodec.ParseConnect(await Exchange(udp, UdpTrackerCodec.Connect(1)), 1);

        // Nobody answers: once older than the ask timeout it is told "busy", and its slot (the only one) is free again.
        await udp.SendAsync(UdpTrackerCodec.Announce(connectionId, 2, request));
        registry.ExpectMsg<TrackerServerMessages.Announce>(Wait);
        clock.Advance(TimeSpan.FromSeconds(2));
        var reply = (await udp.ReceiveAsync().WaitAsync(Wait)).Buffer;
        var busy = Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseAnnounce(reply, 2));
        Assert.Contains("busy", busy.Message);

        await udp.SendAsync(UdpTrackerCodec.Announce(connectionId, 3, request));
        var announce = registry.ExpectMsg<TrackerServerMessages.Announce>(Wait);
        Assert.Equal(5, announce.Request.Left);
        var peers = TrackerServerPeers.From([(IPEndPoint.Parse("10.0.0.7:7000"), new byte[20])], withPeerIds: false);
        registry.LastSender.Tell(new TrackerServerMessages.AnnounceAnswer(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1), 4, 2, peers), registry.Ref);
        var answer = UdpTrackerCodec.ParseAnnounce((await udp.ReceiveAsync().WaitAsync(Wait)).Buffer, 3);
        Assert.Equal((4, 2), (answer.Seeders, answer.Leechers));
        Assert.Equal([IPEndPoint.Parse("10.0.0.7:7000")], answer.Peers);
    }

    private static async Task<byte[]> Exchange(UdpClient udp, byte[] packet)
    {
        await udp.SendAsync(packet);
        return (await udp.ReceiveAsync().WaitAsync(Wait)).Buffer;
    }
}
