using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit;
using Swarm.Actors.Peers;
using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
using Swarm.Protocol.PeerWire;
using Xunit;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Tests.Support;

/// <summary>Where upload tests start: a connection actor seeding all of a <see cref="TestTorrent"/> to a raw peer that
/// has nothing, said it is interested and was unchoked.</summary>
public sealed class UploadConnection : IAsyncDisposable
{
    private readonly FileHandlePool _handles;

    private UploadConnection(IActorRef actor, RawPeer peer, FileHandlePool handles)
    {
        Actor = actor;
        Peer = peer;
        _handles = handles;
    }

    public IActorRef Actor { get; }

    public RawPeer Peer { get; }

    /// <param name="socketBuffers">Kernel buffer size on both ends (our send, the peer's receive), so that a peer that
    /// does not read stalls the write loop after little data; null leaves the kernel's.</param>
    public static async Task<UploadConnection> OpenAsync(TestKitBase kit, TestTorrent torrent, string nodeName, TimeSpan wait, int? socketBuffers = null)
    {
        using var listener = RawPeer.Listen();
        var connecting = RawPeer.ConnectAsync((IPEndPoint)listener.LocalEndPoint!, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        var accepted = await listener.AcceptAsync();
        if (socketBuffers is { } ours)
        {
            accepted.SendBufferSize = ours;
        }

        var link = new PeerLink(new NetworkStream(accepted, ownsSocket: true), (IPEndPoint)accepted.RemoteEndPoint!, PeerTransport.Tcp);
        var theirs = new byte[Handshake.Length];
        await link.Stream.ReadExactlyAsync(theirs);

        var node = NodeContext.Create(nodeName, TestNodes.Settings, 0);
        var handles = new FileHandlePool(4);
        IActorRef? actor = null;
        RawPeer? peer = null;
        try
        {
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
            actor = kit.ChildActorOf(PeerConnectionActor.Props(args));
            peer = await connecting;
            if (socketBuffers is { } theirsSize)
            {
                peer.Socket.ReceiveBufferSize = theirsSize;
            }

            await peer.SendAsync(HaveNone.Instance);
            await peer.SendAsync(Interested.Instance);
            kit.FishForMessage<PeerInterest>(i => i.Interested, wait);
            actor.Tell(new SetChoke(false));
            Assert.NotNull(await peer.ReceiveAsync<Unchoke>(wait));
            return new UploadConnection(actor, peer, handles);
        }
        catch
        {
            // A failed step still gives back what it opened: the peer's socket, the file handles, and the link
            // (the actor's once it exists, closed with it).
            if (peer is not null)
            {
                await peer.DisposeAsync();
            }

            if (actor is null)
            {
                link.Dispose();
            }
            else
            {
                kit.Sys.Stop(actor);
            }

            handles.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Peer.DisposeAsync();
        _handles.Dispose();
    }
}
