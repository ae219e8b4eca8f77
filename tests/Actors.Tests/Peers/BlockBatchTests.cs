using System.Net;
using Akka.Actor;
using Swarm.Actors.Peers;
using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
using Swarm.Actors.Tests.Support;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Tests.Peers;

/// <summary>Issue 14 (data path): a connection hands the blocks it read in one go to its torrent as one message, and
/// only the blocks it asked that peer for: an unrequested block in the same read stays out.</summary>
public sealed class BlockBatchTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private const int Block = 1024; // the connection takes any length it asked for; small blocks fit in one TCP segment
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Blocks_read_together_reach_the_torrent_in_one_message_without_the_unrequested_one()
    {
        using var torrent = new TestTorrent(length: 16384, pieceLength: 16384);
        using var listener = RawPeer.Listen();
        var connecting = RawPeer.ConnectAsync((IPEndPoint)listener.LocalEndPoint!, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        var accepted = await listener.AcceptAsync();
        var link = new PeerLink(new System.Net.Sockets.NetworkStream(accepted, ownsSocket: true), (IPEndPoint)accepted.RemoteEndPoint!, PeerTransport.Tcp);
        var theirs = new byte[Handshake.Length];
        await link.Stream.ReadExactlyAsync(theirs);

        var node = NodeContext.Create("batch", TestNodes.Settings, 0);
        using var handles = new FileHandlePool(4);
        var args = new PeerConnectionArgs(
            7,
            link.Remote,
            torrent.Metainfo,
            new TorrentStorage(torrent.Metainfo, torrent.NewDir("out"), handles),
            new PieceSet(torrent.Metainfo.PieceCount),
            node,
            new TransferLimits(0, 0),
            link,
            Handshake.Parse(theirs));
        Assert.True(node.Connections.TryOpen()); // what the torrent does before spawning a connection; the actor gives it back
        ChildActorOf(PeerConnectionActor.Props(args));
        await using var peer = await connecting;

        await peer.SendAsync(HaveAll.Instance);
        await peer.SendAsync(Unchoke.Instance);
        var ask = FishForMessage<NeedBlocks>(_ => true, Wait);
        Assert.True(ask.Count >= 3);
        var asked = Enumerable.Range(0, 3).Select(i => new BlockRef(0, i * Block, Block)).ToList();
        LastSender.Tell(new BlocksAssigned(asked));
        for (var i = 0; i < asked.Count; i++)
        {
            Assert.NotNull(await peer.ReceiveAsync<Request>(Wait));
        }

        // Three asked blocks and a fourth never asked, in one small write: one read for the connection.
        var write = Enumerable.Range(0, 4)
            .SelectMany(i => PeerMessageWriter.ToArray(new PieceBlock(0, i * Block, torrent.Content[(i * Block)..((i + 1) * Block)])))
            .ToArray();
        await peer.SendRawAsync(write);

        var got = new List<BlockArrived>();
        var messages = 0;
        while (got.Count < asked.Count)
        {
            var m = FishForMessage(x => x is BlockArrived or BlocksArrived, Wait);
            messages++;
            got.AddRange(m is BlocksArrived batch ? batch.Blocks : [(BlockArrived)m]);
        }

        Assert.Equal(1, messages);
        Assert.Equal([0, Block, 2 * Block], got.Select(b => b.Begin));
        Assert.All(got, b => Assert.Equal(7, b.Peer));
        Assert.All(got, b => Assert.Equal(torrent.Content[b.Begin..(b.Begin + Block)], b.Data[..Block]));
    }
}
