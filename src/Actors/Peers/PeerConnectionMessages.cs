using System.Net.Sockets;
using Swarm.Actors.Pieces;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

/// <summary>Messages between a torrent and its peer connections, and a connection's own (its socket tasks and timer).</summary>
public static class PeerConnectionMessages
{
    // connection -> torrent

    /// <summary>The handshake is done and the wire is up.</summary>
    public sealed record PeerConnected(int Peer, string PeerIdHex, string Client, bool Incoming)
    {
        /// <summary>What carries the connection (<c>tcp</c>, <c>utp</c>), for the console and the RPC.</summary>
        public string Transport { get; init; } = "tcp";

        public bool Encrypted { get; init; }
    }

    public sealed record PeerPieces(int Peer, PieceSet Pieces);

    /// <summary>The peer announced a piece (what <see cref="PeerWireState"/> notes; the connection tells the torrent
    /// <see cref="PeerHaves"/>).</summary>
    public sealed record PeerHave(int Peer, int Piece);

    /// <summary>The pieces the peer announced in one inbound batch, in their order.</summary>
    public sealed record PeerHaves(int Peer, IReadOnlyList<int> Pieces);

    public sealed record PeerInterest(int Peer, bool Interested);

    public sealed record NeedBlocks(int Peer, int Count);

    /// <param name="Pooled">Data is a <see cref="Swarm.Protocol.PeerWire.BlockBuffers"/> array, given back by whoever
    /// copies it into the piece (or drops it).</param>
    public sealed record BlockArrived(int Peer, int Piece, int Begin, byte[] Data, bool Pooled = false);

    /// <summary>Issue 14 (data path): the blocks of one inbound batch that the connection vetted, in one message, so
    /// that the torrent's mailbox sees one message per batch (about a piece's worth) rather than one per block.</summary>
    public sealed record BlocksArrived(int Peer, IReadOnlyList<BlockArrived> Blocks);

    public sealed record ReleaseBlocks(int Peer, IReadOnlyList<BlockRef> Blocks);

    /// <summary>Only requested data (issue 13): the peer sent too many blocks we did not ask it for, or of the wrong
    /// length; the connection closes and the torrent bans the peer.</summary>
    public sealed record PeerMisbehaved(int Peer, string Reason);

    /// <summary>Sent every stats interval, and once more with the final byte counts when the connection stops.</summary>
    public sealed record PeerStats(int Peer, long Downloaded, long Uploaded, double DownloadRate, double UploadRate, bool PeerChoking);

    /// <param name="Permanent">Never dial this endpoint again (it is ourselves).</param>
    public sealed record PeerClosing(int Peer, string Reason, bool Permanent = false);

    /// <summary>Issue 15 (PEX): where an incoming peer listens (the "p" of its BEP 10 handshake), so the torrent can
    /// tell other peers an endpoint that accepts connections rather than the peer's outgoing port.</summary>
    public sealed record PeerListenPort(int Peer, int Port);

    // torrent -> connection

    /// <summary>Issue 15 (PEX): the torrent's connected peers, offered every pex check-interval; the connection sends
    /// the peer what changed since its last ut_pex message when its interval has passed.</summary>
    public sealed record PexSnapshot(IReadOnlyList<Swarm.Protocol.Pex.PexPeer> Peers);

    /// <summary>The torrent's answer to <see cref="NeedBlocks"/> (possibly empty).</summary>
    public sealed record BlocksAssigned(IReadOnlyList<BlockRef> Blocks);

    public sealed record CancelBlocks(IReadOnlyList<BlockRef> Blocks);

    public sealed record SetChoke(bool Choke);

    /// <summary>Pieces the torrent verified since it last told its connections: one message per connection for all the
    /// pieces written while the torrent's mailbox was busy, not one per piece (issue 14: 1 KiB pieces).</summary>
    public sealed record WeHave(IReadOnlyList<int> Pieces);

    /// <summary>The torrent turned a request for blocks down earlier (disk behind) and can serve again.</summary>
    public sealed record BlocksAvailable
    {
        public static BlocksAvailable Instance { get; } = new();
    }

    public sealed record Disconnect(string Reason);

    // connection internals (socket tasks and timer -> connection actor)

    /// <summary>The dial's answer: connected, and the peer's handshake is for our torrent.</summary>
    internal sealed record HandshakeDone(PeerLink Link, Handshake Remote);

    internal sealed record HandshakeFailed(string Reason);

    internal sealed record MessagesArrived(IReadOnlyList<PeerMessage> Messages);

    internal sealed record ReaderStopped(Exception? Error);

    internal sealed record WriterStopped(Exception? Error);

    /// <summary>hardening: the peer's send queue passed its bound (or the node's budget): it is not reading.</summary>
    internal sealed record SendQueueFull(long QueuedBytes);

    /// <summary>Every stats interval: rates, pipeline depth, request timeouts, keep-alives, stats to the torrent.</summary>
    internal sealed record ConnectionTick
    {
        public static ConnectionTick Instance { get; } = new();
    }

    // BEP 52 piece-layer hashes (hash request / hashes / hash reject)

    /// <summary>The torrent asks the peer for a range of a file's piece layer.</summary>
    public sealed record AskHashes(HashRequest Request);

    /// <summary>The torrent attached piece layers it fetched: serve them from now on.</summary>
    public sealed record PieceLayersKnown(Swarm.Protocol.Metainfo.TorrentMetainfo Metainfo);

    /// <summary>The peer answered a hash request of ours.</summary>
    public sealed record HashesArrived(int Peer, HashesReply Reply);

    /// <summary>The peer refused a hash request of ours.</summary>
    public sealed record HashesRefused(int Peer, HashReject Reject);
}
