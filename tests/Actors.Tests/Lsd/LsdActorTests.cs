using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors.Catalog;
using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol;
using Swarm.Protocol.Lsd;
using Swarm.Protocol.Metainfo;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Lsd;

/// <summary>Issue 15, local service discovery (BEP 14) on this machine: multicast on the loopback interface with
/// TTL 0 (nothing leaves the machine) and a port of the test's own, so tests never hear each other.</summary>
public sealed class LsdActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    private readonly int _lsdPort = FreeUdpPort();

    [Fact]
    public async Task A_leecher_with_no_peers_finds_a_seeder_on_the_same_network_and_downloads()
    {
        using var torrent = new TestTorrent(length: 1 << 18, pieceLength: 1 << 14);
        var seeder = StartNode("lsd-seeder");
        var added = await seeder.Ask<CatalogMessages.TorrentAccepted>(new CatalogMessages.AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions(SeedOnly: true)), Wait);
        await TestNodes.AwaitStatus(seeder, added.InfoHash, s => s.State == TorrentState.Seeding, Wait, Wait);

        var leecher = StartNode("lsd-leecher");
        var outDir = torrent.NewDir("out");
        await leecher.Ask<CatalogMessages.TorrentAccepted>(new CatalogMessages.AddTorrent(torrent.Metainfo, outDir, new TorrentOptions()), Wait);
        await TestNodes.AwaitStatus(leecher, added.InfoHash, s => s.State == TorrentState.Seeding, Wait, Wait);
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
    }

    [Fact]
    public async Task Public_torrents_are_announced_with_our_peer_port_and_private_ones_never()
    {
        using var listener = JoinGroup();
        var content = new byte[1 << 16];
        new Random(3).NextBytes(content);
        var dir = Directory.CreateTempSubdirectory("swarm-lsd-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(dir, "private.bin"), content);
            var privateMeta = MetainfoParser.Parse(TorrentBuilder.Create("private.bin", content, new TorrentBuildOptions([], 1 << 14, IsPrivate: true)));
            using var publicTorrent = new TestTorrent(length: 1 << 16, pieceLength: 1 << 14);
            var (node, port) = StartNodeWithPort("lsd-announcer");

            // The private torrent is running before the public one starts: had it been announced, it would be by then.
            var priv = await node.Ask<CatalogMessages.TorrentAccepted>(new CatalogMessages.AddTorrent(privateMeta, dir, new TorrentOptions(SeedOnly: true)), Wait);
            await TestNodes.AwaitStatus(node, priv.InfoHash, s => s.State == TorrentState.Seeding, Wait, Wait);
            var pub = await node.Ask<CatalogMessages.TorrentAccepted>(new CatalogMessages.AddTorrent(publicTorrent.Metainfo, publicTorrent.SeedDir, new TorrentOptions(SeedOnly: true)), Wait);

            var heard = new List<LsdAnnounce>();
            var buffer = new byte[2048];
            using var cts = new CancellationTokenSource(Wait);
            while (!heard.Any(a => a.InfoHashes.Contains(InfoHash.Parse(pub.InfoHash))))
            {
                var n = await listener.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (LsdAnnounce.Decode(buffer.AsSpan(0, n), 1400, 16) is { } a)
                {
                    heard.Add(a);
                }
            }

            Assert.All(heard, a => Assert.Equal(port, a.Port));
            Assert.DoesNotContain(heard, a => a.InfoHashes.Contains(InfoHash.Parse(priv.InfoHash)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Issue 14: torrents resuming together (1,000 at a restart) lead to one listing of the catalog, not a
    /// listing of every torrent's status per torrent that became ready.</summary>
    [Fact]
    public void Torrents_ready_together_are_listed_once()
    {
        var settings = SwarmSettings.From(ConfigurationFactory.ParseString($$"""
            swarm.lsd {
              enabled = on
              port = {{_lsdPort}}
              interface = "127.0.0.1"
              ttl = 0
              ready-delay = 3s
            }
            """).WithFallback(TestNodes.Config));
        var catalog = CreateTestProbe();
        Sys.ActorOf(Swarm.Actors.Lsd.LsdActor.Props(catalog, NodeContext.Create($"lsd-ready-{Guid.NewGuid():N}", settings, 6881)));
        // The listing every start makes at once.
        catalog.ExpectMsg<CatalogMessages.ListTorrents>(Wait);
        catalog.Reply(new CatalogMessages.TorrentList([]));

        for (var i = 0; i < 50; i++)
        {
            Sys.EventStream.Publish(new TorrentMessages.TorrentReadyForPeers($"{i:x40}"));
        }

        catalog.ExpectMsg<CatalogMessages.ListTorrents>(Wait);
        catalog.Reply(new CatalogMessages.TorrentList([]));
        // Every ready torrent was covered by that listing: no second one follows its answer.
        catalog.ExpectNoMsg(TimeSpan.FromSeconds(2));
    }

    private Socket JoinGroup()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        s.Bind(new IPEndPoint(IPAddress.Any, _lsdPort));
        s.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(IPAddress.Parse("239.192.152.143"), IPAddress.Loopback));
        return s;
    }

    private IActorRef StartNode(string name) => StartNodeWithPort(name).Node;

    private (IActorRef Node, int Port) StartNodeWithPort(string name)
    {
        var settings = SwarmSettings.From(ConfigurationFactory.ParseString($$"""
            swarm.lsd {
              enabled = on
              port = {{_lsdPort}}
              interface = "127.0.0.1"
              ttl = 0
            }
            """).WithFallback(TestNodes.Config));
        var (node, listen, _) = TestNodes.Start(Sys, name, settings);
        return (node, listen.Port);
    }

    private static int FreeUdpPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
