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

/// <summary>Issue 14 (uploads): requests queued one behind the other that continue each other on disk are read at
/// once; each still gets its own piece message, with its own bytes, in the order asked, across piece boundaries and
/// next to requests that do not follow.</summary>
public sealed class UploadRunTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private const int PieceLength = 16 * 1024;
    private const int Block = 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Consecutive_requests_are_answered_each_with_its_own_bytes_in_order()
    {
        using var torrent = new TestTorrent(length: 4 * PieceLength, pieceLength: PieceLength);
        using var listener = RawPeer.Listen();
        var connecting = RawPeer.ConnectAsync((IPEndPoint)listener.LocalEndPoint!, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        var accepted = await listener.AcceptAsync();
        var link = new PeerLink(new System.Net.Sockets.NetworkStream(accepted, ownsSocket: true), (IPEndPoint)accepted.RemoteEndPoint!, PeerTransport.Tcp);
        var theirs = new byte[Handshake.Length];
        await link.Stream.ReadExactlyAsync(theirs);

        var node = NodeContext.Create("uploads", TestNodes.Settings, 0);
        using var handles = new FileHandlePool(4);
        var args = new PeerConnectionArgs(
            3,
            link.Remote,
            torrent.Metainfo,
            new TorrentStorage(torrent.Metainfo, torrent.SeedDir, handles),
            PieceSet.Full(torrent.Metainfo.PieceCount),
            node,
            new TransferLimits(0, 0),
            link,
            Handshake.Parse(theirs));
        Assert.True(node.Connections.TryOpen()); // what the torrent does before spawning a connection; the actor gives it back
        var connection = ChildActorOf(PeerConnectionActor.Props(args));
        await using var peer = await connecting;
        await peer.SendAsync(HaveNone.Instance);
        await peer.SendAsync(Interested.Instance);
        FishForMessage<PeerInterest>(i => i.Interested, Wait);
        connection.Tell(new SetChoke(false));
        Assert.NotNull(await peer.ReceiveAsync<Unchoke>(Wait));

        // The last blocks of piece 0 run on into piece 1; then a block of piece 3 that follows nothing; then whole
        // blocks of piece 2, in a row; all in one write, so they are queued together.
        List<Request> asked =
        [
            .. Enumerable.Range(12, 4).Select(i => new Request(0, i * Block, Block)),
            .. Enumerable.Range(0, 3).Select(i => new Request(1, i * Block, Block)),
            new Request(3, 5 * Block, Block),
            new Request(2, 0, PieceLength / 2),
            new Request(2, PieceLength / 2, PieceLength / 2),
            new Request(1, 3 * Block, 100),
        ];
        await peer.SendRawAsync(asked.SelectMany(r => PeerMessageWriter.ToArray(r)).ToArray());

        foreach (var r in asked)
        {
            var block = await peer.ReceiveAsync<PieceBlock>(Wait);
            Assert.NotNull(block);
            Assert.Equal((r.Piece, r.Begin, r.Length), (block.Piece, block.Begin, block.Data.Length));
            var at = (r.Piece * PieceLength) + r.Begin;
            Assert.Equal(torrent.Content[at..(at + r.Length)], block.Data[..r.Length]);
        }
    }
}
