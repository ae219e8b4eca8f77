using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.TrackerServer;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.Tests.TrackerServer;

/// <summary>Announces that skip the registry: the swarms it publishes, answered on the thread that tells them, and the
/// UDP front end's announces reaching each client.</summary>
public sealed class TrackedSwarmIndexTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static TrackerAnnounce Request(InfoHash hash, int port, long left) =>
        new(hash, new byte[20], port, 0, 0, left, AnnounceEvent.None, 50, Compact: true, NoPeerId: true);

    [Fact]
    public async Task The_registry_publishes_each_swarm_it_creates_and_withdraws_it_when_the_swarm_ends()
    {
        var clock = new ManualClock();
        var index = new TrackedSwarmIndex();
        var registry = Sys.ActorOf(TrackerRegistryActor.Props(TestNodes.Settings.TrackerServer, clock, index));
        var hash = new InfoHash(Enumerable.Repeat((byte)7, 20).ToArray());
        Assert.Same(registry, index.Route(hash, registry));

        await registry.Ask<AnnounceAnswer>(new Announce(Request(hash, 1000, 0), IPAddress.Parse("10.0.0.1")), Wait);
        var swarm = index.Route(hash, registry);
        Assert.NotEqual(registry, swarm);
        Assert.Equal($"swarm-{hash.Hex}", swarm.Path.Name);

        // Straight to the swarm: it knows the first peer.
        var answer = await swarm.Ask<AnnounceAnswer>(new Announce(Request(hash, 1000, 5), IPAddress.Parse("10.0.0.2")), Wait);
        Assert.Equal((1, 1), (answer.Complete, answer.Incomplete));

        // Announced once each and silent past the probation: the swarm ends, and the index forgets it.
        Watch(swarm);
        clock.Advance(TestNodes.Settings.TrackerServer.ProbationExpiry + TimeSpan.FromSeconds(1));
        swarm.Tell(SweepExpiredPeers.Instance);
        ExpectTerminated(swarm, Wait);
        await AwaitAssertAsync(() => Assert.Same(registry, index.Route(hash, registry)), Wait);
    }

    [Fact]
    public async Task A_swarm_answers_an_announce_on_the_thread_that_tells_it()
    {
        var index = new TrackedSwarmIndex();
        var registry = Sys.ActorOf(TrackerRegistryActor.Props(TestNodes.Settings.TrackerServer, index: index));
        var hash = new InfoHash(Enumerable.Repeat((byte)8, 20).ToArray());
        await registry.Ask<AnnounceAnswer>(new Announce(Request(hash, 2000, 0), IPAddress.Parse("10.0.0.1")), Wait);
        var swarm = index.Route(hash, registry);

        // Once the registry's thread has left the swarm (it ran it for the first announce), nothing else runs it: it is
        // run by this call, and the answer is given before Tell returns.
        await AwaitAssertAsync(() =>
        {
            var answer = new Answered();
            swarm.Tell(new Announce(Request(hash, 2001, 9), IPAddress.Parse("10.0.0.2")), answer);
            var told = Assert.IsType<AnnounceAnswer>(answer.Message);
            Assert.Equal(Environment.CurrentManagedThreadId, answer.Thread);
            Assert.Equal([IPEndPoint.Parse("10.0.0.1:2000")], told.Peers.Select(p => p.EndPoint));
        }, Wait);
    }

    [Fact]
    public async Task Udp_announces_read_together_reach_their_swarm_and_each_answer_its_own_client()
    {
        var index = new TrackedSwarmIndex();
        var settings = TestNodes.Settings.TrackerServer;
        var registry = Sys.ActorOf(TrackerRegistryActor.Props(settings, index: index));
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Sys.ActorOf(UdpTrackerActor.Props(socket, registry, settings, index: index));
        var hash = new InfoHash(Enumerable.Repeat((byte)9, 20).ToArray());
        var clients = Enumerable.Range(0, 12).Select(_ => new UdpClient(new IPEndPoint(IPAddress.Loopback, 0))).ToArray();
        try
        {
            var connections = new long[clients.Length];
            for (var i = 0; i < clients.Length; i++)
            {
                clients[i].Connect((IPEndPoint)socket.LocalEndPoint!);
                await clients[i].SendAsync(UdpTrackerCodec.Connect(i));
                connections[i] = UdpTrackerCodec.ParseConnect((await clients[i].ReceiveAsync().WaitAsync(Wait)).Buffer, i);
            }

            // All sent before any answer is read: the receive thread finds several waiting at once.
            for (var i = 0; i < clients.Length; i++)
            {
                var request = new AnnounceRequest(hash, new byte[20], 3000 + i, 0, 0, 5, AnnounceEvent.Started);
                await clients[i].SendAsync(UdpTrackerCodec.Announce(connections[i], 100 + i, request));
            }

            var peers = 0;
            for (var i = 0; i < clients.Length; i++)
            {
                var answer = UdpTrackerCodec.ParseAnnounce((await clients[i].ReceiveAsync().WaitAsync(Wait)).Buffer, 100 + i);
                Assert.DoesNotContain(answer.Peers, p => p.Port == 3000 + i);
                peers += answer.Peers.Count;
            }

            Assert.Equal(clients.Length * (clients.Length - 1) / 2, peers); // each was told of all that came before it
            Assert.NotSame(registry, index.Route(hash, registry));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>A reply reference that keeps what it was told and on which thread.</summary>
    private sealed class Answered : MinimalActorRef
    {
        public override ActorPath Path { get; } = new RootActorPath(Address.AllSystems) / "answered";

        public override IActorRefProvider Provider => throw new NotSupportedException();

        public object? Message { get; private set; }

        public int Thread { get; private set; }

        protected override void TellInternal(object message, IActorRef sender)
        {
            Message = message;
            Thread = Environment.CurrentManagedThreadId;
        }
    }
}
