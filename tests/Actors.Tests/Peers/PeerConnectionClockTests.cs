using System.Net;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Peers;

/// <summary>The connection's timeouts run on the node's clock: these nodes get a clock moved by hand, and each verdict
/// comes within seconds of moving it, where the wall clock would take a minute or more.</summary>
public sealed class PeerConnectionClockTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Idle = TestNodes.Settings.Peer.IdleTimeout;
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_quiet_peer_gets_a_keep_alive_after_half_the_idle_timeout_and_is_dropped_after_all_of_it()
    {
        Assert.True(Idle / 2 > Wait, "the wall clock alone must not be able to pass this test");
        using var torrent = new TestTorrent(length: 1 << 20, pieceLength: 1 << 16);
        var clock = new ManualClock();
        var (node, listen) = StartNode("seeder", clock);
        await Seed(node, torrent);

        await using var peer = await RawPeer.ConnectAsync(listen, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        Assert.NotNull(await peer.ReceiveAsync<HaveAll>(Wait)); // the connection is up (its silence counts from its start)

        clock.Advance((Idle / 2) + Margin);
        Assert.NotNull(await peer.ReceiveAsync<KeepAlive>(Wait));

        clock.Advance(Idle / 2);
        Assert.True(await peer.ClosedWithinAsync(Wait), "a peer silent for the idle timeout should be dropped");
    }

    [Fact]
    public async Task Requests_unanswered_for_the_request_timeout_are_asked_again()
    {
        var timeout = TestNodes.Settings.Pipeline.RequestTimeout;
        Assert.True(timeout > Wait, "the wall clock alone must not be able to pass this test");
        using var torrent = new TestTorrent(length: 1 << 20, pieceLength: 1 << 16);
        using var listener = RawPeer.Listen();
        var clock = new ManualClock();
        var (leecher, _) = StartNode("leecher", clock);
        await leecher.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddTorrent(torrent.Metainfo, torrent.NewDir("out"), new TorrentOptions(Peers: [(IPEndPoint)listener.LocalEndPoint!])), Wait);

        // A seeder that takes requests and never answers them.
        await using var holder = await RawPeer.AcceptAsync(listener, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        await holder.SendAsync(HaveAll.Instance);
        await holder.SendAsync(Unchoke.Instance);
        var first = await holder.ReceiveAsync<Request>(Wait);
        Assert.NotNull(first);
        var asked = new HashSet<(int, int)> { (first!.Piece, first.Begin) };

        clock.Advance(timeout + Margin);

        // With one peer, a block is requested from it a second time only once the first request was given up.
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            var request = await holder.ReceiveAsync<Request>(deadline - DateTime.UtcNow);
            Assert.NotNull(request);
            if (!asked.Add((request!.Piece, request.Begin)))
            {
                break;
            }
        }
    }

    private (IActorRef Node, IPEndPoint Listen) StartNode(string name, TimeProvider clock)
    {
        var (node, listen, _) = TestNodes.Start(Sys, name, TestNodes.Settings, clock);
        return (node, listen);
    }

    private async Task Seed(IActorRef node, TestTorrent torrent)
    {
        var added = await node.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions(SeedOnly: true)), Wait);
        await AwaitAssertAsync(
            async () => Assert.Equal(TorrentState.Seeding, (await node.Ask<TorrentStatus>(new CatalogMessages.ForTorrent(added.InfoHash, new TorrentMessages.GetStatus()), Wait)).State),
            Wait);
    }
}
