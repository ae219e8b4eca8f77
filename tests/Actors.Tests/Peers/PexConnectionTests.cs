using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors.Catalog;
using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using Swarm.Protocol.Pex;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Peers;

/// <summary>Issue 15, peer exchange on real loopback sockets: a node advertises ut_pex, dials the peers a connection
/// tells it about, tells connections about each other, and does none of it for a private torrent.</summary>
public sealed class PexConnectionTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_peer_learnt_from_ut_pex_becomes_a_candidate_the_leecher_dials()
    {
        using var torrent = new TestTorrent(length: 1 << 16, pieceLength: 1 << 14);
        var (node, listen) = StartNode("learn", "");
        await Leech(node, torrent.Metainfo, torrent.NewDir("leech"));
        using var second = RawPeer.Listen();

        await using var first = await RawPeer.ConnectAsync(listen, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount, extensions: true);
        var theirs = ExtensionHandshake.Decode((await first.ReceiveAsync<Extended>(Wait))!.Payload);
        Assert.Equal(ExtensionHandshake.OurPexId, theirs.Extensions[PexMessage.ExtensionName]);

        await first.SendAsync(new Extended(0, ExtensionHandshake.Ours(metadata: false, 1, null, null, pex: true).Encode()));
        var pex = new PexMessage([new PexPeer((IPEndPoint)second.LocalEndPoint!, PexFlags.Reachable)], []);
        await first.SendAsync(new Extended(ExtensionHandshake.OurPexId, pex.Encode()));

        var accept = RawPeer.AcceptAsync(second, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        Assert.Same(accept, await Task.WhenAny(accept, Task.Delay(Wait)));
        await using var dialled = await accept;
    }

    [Fact]
    public async Task Connected_peers_are_told_about_each_other_at_their_listen_ports()
    {
        using var torrent = new TestTorrent(length: 1 << 16, pieceLength: 1 << 14);
        var (node, listen) = StartNode("tell", "swarm.pex.check-interval = 200ms");
        await Leech(node, torrent.Metainfo, torrent.NewDir("leech"));

        await using var a = await RawPeer.ConnectAsync(listen, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount, extensions: true);
        await a.SendAsync(new Extended(0, ExtensionHandshake.Ours(metadata: false, 40001, null, null, pex: true).Encode()));
        await using var b = await RawPeer.ConnectAsync(listen, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount, extensions: true);
        await b.SendAsync(new Extended(0, ExtensionHandshake.Ours(metadata: false, 40002, null, null, pex: true).Encode()));

        var toA = await ReceivePex(a);
        Assert.Equal([new PexPeer(IPEndPoint.Parse("127.0.0.1:40002"), PexFlags.None)], toA.Added);
        var toB = await ReceivePex(b);
        Assert.Equal([new PexPeer(IPEndPoint.Parse("127.0.0.1:40001"), PexFlags.None)], toB.Added);
    }

    [Fact]
    public async Task A_private_torrent_neither_offers_ut_pex_nor_dials_what_a_peer_sends_in_it()
    {
        var content = new byte[1 << 16];
        new Random(7).NextBytes(content);
        var meta = MetainfoParser.Parse(TorrentBuilder.Create("private.bin", content, new TorrentBuildOptions([], 1 << 14, IsPrivate: true)));
        var dir = Directory.CreateTempSubdirectory("swarm-pex-").FullName;
        try
        {
            var (node, listen) = StartNode("private", "swarm.pex.check-interval = 200ms");
            await Leech(node, meta, dir);
            using var second = RawPeer.Listen();

            await using var first = await RawPeer.ConnectAsync(listen, meta.InfoHash, meta.PieceCount, extensions: true);
            var theirs = ExtensionHandshake.Decode((await first.ReceiveAsync<Extended>(Wait))!.Payload);
            Assert.False(theirs.Extensions.ContainsKey(PexMessage.ExtensionName));

            await first.SendAsync(new Extended(0, ExtensionHandshake.Ours(metadata: false, 1, null, null, pex: true).Encode()));
            var pex = new PexMessage([new PexPeer((IPEndPoint)second.LocalEndPoint!, PexFlags.Reachable)], []);
            await first.SendAsync(new Extended(ExtensionHandshake.OurPexId, pex.Encode()));

            // A fence: the connection handles messages in order, so our interest in the piece announced after the
            // ut_pex message means that message was handled (and ignored) before. Then a bounded negative check: a
            // public torrent dials within a tick of learning a peer (the first test); nothing comes here.
            var accept = second.AcceptAsync();
            await first.SendAsync(new Have(0));
            Assert.NotNull(await first.ReceiveAsync<Interested>(Wait));
            Assert.NotSame(accept, await Task.WhenAny(accept, Task.Delay(TimeSpan.FromSeconds(3))));
            Assert.False(await first.ClosedWithinAsync(TimeSpan.FromMilliseconds(200)), "the ignored message should not close the connection");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<PexMessage> ReceivePex(RawPeer peer)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (DateTime.UtcNow < deadline)
        {
            var m = await peer.ReceiveAsync<Extended>(Wait);
            if (m is { ExtendedId: not 0 })
            {
                Assert.Equal(ExtensionHandshake.OurPexId, m.ExtendedId); // the id we told it for ut_pex
                return PexMessage.Decode(m.Payload, 50, 50);
            }
        }

        throw new TimeoutException("no ut_pex message");
    }

    private (IActorRef Node, IPEndPoint Listen) StartNode(string name, string overrides)
    {
        var settings = SwarmSettings.From(ConfigurationFactory.ParseString(overrides).WithFallback(TestNodes.Config));
        var (node, listen, _) = TestNodes.Start(Sys, name, settings);
        return (node, listen);
    }

    private async Task Leech(IActorRef node, TorrentMetainfo meta, string dir)
    {
        var added = await node.Ask<CatalogMessages.TorrentAccepted>(new CatalogMessages.AddTorrent(meta, dir, new TorrentOptions()), Wait);
        await TestNodes.AwaitStatus(node, added.InfoHash, s => s.State == TorrentState.Downloading, Wait, Wait);
    }
}
