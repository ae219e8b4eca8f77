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

    private static async Task<byte[]> Exchange(UdpClient udp, byte[] packet)
    {
        await udp.SendAsync(packet);
        return (await udp.ReceiveAsync().WaitAsync(Wait)).Buffer;
    }
}
