using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

/// <summary>What becomes of a peer's request for a block of ours: queued for upload, refused (rejected under BEP 6,
/// silently dropped without it), or a protocol violation that ends the connection.</summary>
public static class UploadRequestRule
{
    /// <param name="request">Its piece index is already checked against the piece count by the message reader.</param>
    /// <param name="weHaveIt">The requested piece is verified here.</param>
    /// <param name="pieceSize">The length of the requested piece.</param>
    /// <param name="amChoking">We choke the peer: it may not ask (a request in flight when we choked is refused).</param>
    /// <param name="queued">Requests of this peer already queued for upload.</param>
    /// <param name="maxQueued">The queue we advertise as our <c>reqq</c> (<c>peer.max-incoming-requests</c>).</param>
    public static UploadVerdict Judge(Request request, bool weHaveIt, int pieceSize, bool amChoking, int queued, int maxQueued)
    {
        var inside = (long)request.Begin + request.Length <= pieceSize;
        if (weHaveIt && !inside)
        {
            // A piece we have (and so advertised) has a known length: asking past it is not a race, it is a bug or an attack.
            return UploadVerdict.Violation;
        }

        return amChoking || !weHaveIt || queued >= maxQueued ? UploadVerdict.Refuse : UploadVerdict.Queue;
    }
}

public enum UploadVerdict
{
    Queue,
    Refuse,
    Violation,
}
