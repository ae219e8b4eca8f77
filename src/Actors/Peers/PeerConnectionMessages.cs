using System.Net;
using Swarm.Actors.Pieces;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

/// <summary>Messages between a torrent and its peer connections.</summary>
public static class PeerConnectionMessages
{
    // connection -> torrent

    public sealed record PeerConnected(int Peer, IPEndPoint EndPoint, string PeerIdHex, string Client, bool Incoming);

    public sealed record PeerPieces(int Peer, PieceSet Pieces);

    public sealed record PeerHave(int Peer, int Piece);

    public sealed record PeerInterest(int Peer, bool Interested);

    public sealed record NeedBlocks(int Peer, int Count);

    public sealed record BlockArrived(int Peer, int Piece, int Begin, byte[] Data);

    public sealed record ReleaseBlocks(int Peer, IReadOnlyList<BlockRef> Blocks);

    public sealed record PeerStats(
        int Peer,
        long Downloaded,
        long Uploaded,
        double DownloadRate,
        double UploadRate,
        bool AmInterested,
        bool PeerChoking,
        int Outstanding);

    /// <param name="Permanent">Never dial this endpoint again (it is ourselves).</param>
    public sealed record PeerClosing(int Peer, string Reason, bool Permanent = false);

    // torrent -> connection

    public sealed record AssignBlocks(IReadOnlyList<BlockRef> Blocks);

    public sealed record CancelBlocks(IReadOnlyList<BlockRef> Blocks);

    public sealed record SetChoke(bool Choke);

    public sealed record WeHave(int Piece);

    /// <summary>The torrent turned a request for blocks down earlier (disk behind) and can serve again.</summary>
    public sealed record BlocksAvailable
    {
        public static BlocksAvailable Instance { get; } = new();
    }

    public sealed record Disconnect(string Reason);

    // connection internals (socket tasks -> connection actor)

    internal sealed record Established(System.Net.Sockets.Socket Socket, Handshake Remote);

    internal sealed record EstablishFailed(string Reason);

    internal sealed record Inbound(List<PeerMessage> Messages);

    internal sealed record ReaderStopped(Exception? Error);

    internal sealed record WriterStopped(Exception? Error);

    internal sealed record Tick
    {
        public static Tick Instance { get; } = new();
    }
}
