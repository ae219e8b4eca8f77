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
    /// <param name="queue">What this peer has queued for upload already, and the bounds.</param>
    public static UploadVerdict Judge(Request request, bool weHaveIt, int pieceSize, bool amChoking, UploadQueue queue)
    {
        var inside = (long)request.Begin + request.Length <= pieceSize;
        if (weHaveIt && !inside)
        {
            // A piece we have (and so advertised) has a known length: asking past it is not a race, it is a bug or an attack.
            return UploadVerdict.Violation;
        }

        return amChoking || !weHaveIt || queue.IsFullFor(request.Length) ? UploadVerdict.Refuse : UploadVerdict.Queue;
    }
}

/// <summary>A peer's requests accepted and not yet served, and their bounds.</summary>
/// <param name="Count">Requests queued.</param>
/// <param name="MaxCount">The queue we advertise as our <c>reqq</c> (<c>peer.max-incoming-requests</c>).</param>
/// <param name="Bytes">Their bytes.</param>
/// <param name="MaxBytes">hardening: <c>peer-hardening.max-queued-upload-bytes</c>, so the bound holds in bytes
/// whatever block length the configuration allows.</param>
public readonly record struct UploadQueue(int Count, int MaxCount, long Bytes, long MaxBytes)
{
    public bool IsFullFor(int length) => Count >= MaxCount || Bytes + length > MaxBytes;
}

public enum UploadVerdict
{
    Queue,
    Refuse,
    Violation,
}
