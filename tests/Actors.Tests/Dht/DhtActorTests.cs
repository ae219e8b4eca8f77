using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Swarm.Actors.Dht;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Dht;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Dht;

/// <summary>Two of our DHT nodes over real UDP on loopback: bootstrap, announce and lookup between them, the saved table,
/// and what a hostile sender gets (nothing past its rate, nothing for garbage). Time is a hand-moved clock: nothing here
/// waits for a timeout.</summary>
public sealed class DhtActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly ManualClock _clock = new();

    [Fact]
    public async Task A_node_bootstrapped_from_another_finds_the_peer_the_other_announced()
    {
        // A's bootstrap node does not answer; it only makes loopback an allowed class for A (else B is a bogus node to it).
        var (a, aUdp) = StartNode("a", ["127.0.0.1:1"]);
        var (b, _) = StartNode("b", [aUdp.ToString()]);
        await AwaitNodes(a, 1);
        await AwaitNodes(b, 1);

        var hash = new string('c', 40);
        var seeder = CreateTestProbe();
        a.Tell(new DhtMessages.TrackOnDht(hash, seeder.Ref, Announce: true));
        await AwaitAssertAsync(async () => Assert.Equal(1, (await Status(a)).Announced), Wait);

        // B only looks up (a magnet): it learns A's peer endpoint, from A's announce and from A's answer.
        var magnet = CreateTestProbe();
        b.Tell(new DhtMessages.TrackOnDht(hash, magnet.Ref, Announce: false));
        var found = magnet.ExpectMsg<TorrentMessages.AddPeers>(Wait);
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, ListenPortOf("a")), found.Peers);
        Assert.Equal("the DHT", found.Source);
        Assert.Equal(0, (await Status(b)).Announced);
    }

    [Fact]
    public async Task A_restarted_node_loads_its_table_and_needs_no_bootstrap()
    {
        var dir = Directory.CreateTempSubdirectory("swarm-dht-").FullName;
        try
        {
            var (_, aUdp) = StartNode("a", []);
            var table = Path.Combine(dir, "b-dht.dat");
            var (b, _) = StartNode("b", [aUdp.ToString()], table);
            await AwaitNodes(b, 1);
            var id = (await Status(b)).NodeId;
            Stop(b);
            Assert.True(File.Exists(table));

            var (again, _) = StartNode("b2", [], table);
            var status = await Status(again);
            Assert.Equal(id, status.NodeId);
            Assert.Equal(1, status.Nodes);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Garbage_is_dropped_a_flood_is_cut_at_the_burst_and_non_krpc_datagrams_are_left_for_utp()
    {
        var (a, aUdp) = StartNode("a", []);
        using var raw = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        raw.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        raw.ReceiveTimeout = 3000;
        await Status(a); // started, and so registered with its socket

        raw.SendTo("d1:t2:aa1:y1:qe garbage"u8.ToArray(), aUdp);
        raw.SendTo(new byte[] { 0x41, 0x00, 0x01 }, aUdp); // a uTP SYN's first byte: not KRPC
        var ping = Krpc.Encode(new KrpcQuery([0, 1], "ping", NodeId.Random()));
        var flood = 3 * (int)TestNodes.Settings.Dht.QueryBurstPerAddress;
        for (var i = 0; i < flood; i++)
        {
            raw.SendTo(ping, aUdp);
        }

        var answers = 0;
        var buffer = new byte[2048];
        try
        {
            while (answers < flood)
            {
                var n = raw.Receive(buffer);
                var reply = Assert.IsType<KrpcResponse>(Krpc.Decode(buffer.AsSpan(0, n)));
                Assert.True(n <= ping.Length * 4, "an answer to a ping is about as large as the ping");
                Assert.Equal(raw.LocalEndPoint, reply.YourAddress);
                answers++;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
        {
            // No more answers: the rest of the flood was dropped.
        }

        Assert.Equal((int)TestNodes.Settings.Dht.QueryBurstPerAddress, answers);
        var udp = await Sys.ActorSelection(a.Path.Parent / "udp-a").ResolveOne(Wait);
        var counters = await udp.Ask<UdpPeerSocketMessages.UdpCounters>(new UdpPeerSocketMessages.GetUdpCounters(), Wait);
        Assert.Equal(1, counters.Reserved);
        Assert.Equal(1 + flood, counters.Krpc);
    }

    [Fact]
    public async Task A_cluster_member_bootstraps_from_the_other_members_peer_endpoints()
    {
        var (_, aUdp) = StartNode("a", ["127.0.0.1:1"]);
        // B has no bootstrap node at all; its parent (the node root) answers the cluster state with A as a member.
        var root = CreateTestProbe();
        var (b, _) = StartNode("b", [], parent: root);
        root.ExpectMsg<Swarm.Actors.Clustering.ClusterMessages.GetClusterState>(Wait);
        root.Reply(new Swarm.Actors.Clustering.ClusterMessages.ClusterStateReply(
            "b",
            "a",
            [
                new Swarm.Actors.Clustering.ClusterMessages.MemberState("akka.tcp://swarm@127.0.0.1:1", "up", true, true, false, "a", aUdp.ToString(), 0, 0),
                new Swarm.Actors.Clustering.ClusterMessages.MemberState("akka.tcp://swarm@127.0.0.1:2", "up", true, false, true, "b", "127.0.0.1:3", 0, 0),
            ],
            [],
            new Dictionary<string, int>(),
            1));
        await AwaitNodes(b, 1);
    }

    private readonly Dictionary<string, int> _listenPorts = [];

    private int ListenPortOf(string name) => _listenPorts[name];

    /// <summary>A DHT node with its own UDP socket on loopback, bootstrapped from <paramref name="bootstrap"/>.</summary>
    private (IActorRef Dht, IPEndPoint Udp) StartNode(string name, IReadOnlyList<string> bootstrap, string? tableFile = null, Akka.TestKit.TestProbe? parent = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var udp = (IPEndPoint)socket.LocalEndPoint!;
        var settings = TestNodes.Settings with { Dht = TestNodes.Settings.Dht with { Enabled = true } };
        // The peer (TCP) port a node announces; any number works, the test only checks it is the one delivered.
        var listenPort = 20000 + _listenPorts.Count;
        _listenPorts[name] = listenPort;
        var context = NodeContext.Create(name, settings, listenPort, _clock);
        var socketActor = Sys.ActorOf(UdpPeerSocketActor.Props(socket), $"udp-{name}");
        var props = DhtActor.Props(context, socketActor, new DhtStart(socket, tableFile, bootstrap));
        var dht = parent is null ? Sys.ActorOf(props, $"dht-{name}") : parent.ChildActorOf(props, $"dht-{name}");
        return (dht, udp);
    }

    private Task<DhtMessages.DhtStatus> Status(IActorRef dht) => dht.Ask<DhtMessages.DhtStatus>(new DhtMessages.GetDhtStatus(), Wait);

    private Task AwaitNodes(IActorRef dht, int count) => AwaitAssertAsync(async () => Assert.True((await Status(dht)).Nodes >= count), Wait);

    private void Stop(IActorRef actor)
    {
        var probe = CreateTestProbe();
        probe.Watch(actor);
        actor.Tell(PoisonPill.Instance);
        probe.ExpectTerminated(actor, Wait);
    }
}
