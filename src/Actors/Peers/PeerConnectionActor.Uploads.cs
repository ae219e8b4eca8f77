using Swarm.Actors.Configuration;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

// The upload side of a connection: the peer's block requests and ut_metadata requests, within the allowances that keep
// a flooding peer from making us queue (or refuse) without end (hardening: peer memory).
public sealed partial class PeerConnectionActor
{
    private void OnRequest(Request r)
    {
        var queue = new UploadQueue(_channel!.PendingUploads, _cfg.Peer.MaxIncomingRequests, _channel.PendingUploadBytes, _cfg.PeerHardening.MaxQueuedUploadBytes);
        var verdict = UploadRequestRule.Judge(r, _ours[r.Piece], _args.Metainfo.PieceSize(r.Piece), _state.Flags.AmChoking, queue);
        if (verdict == UploadVerdict.Violation)
        {
            throw new PeerProtocolException($"request for piece {r.Piece} at {r.Begin}+{r.Length} runs past the piece");
        }

        if (verdict == UploadVerdict.Queue && _channel.QueueUpload(r.Piece, r.Begin, r.Length))
        {
            return;
        }

        // A refusal costs a reject on the wire (BEP 6) and a read. Like libtorrent (max_rejects, for requests while
        // choked) we disconnect a peer that keeps asking past the rate rather than go silent: dropping rejects would
        // leave an honest fast peer waiting for blocks that never come.
        (_refusedRequests, var allowed) = _refusedRequests.Take(_clock.GetUtcNow());
        if (!allowed)
        {
            Close($"keeps asking for blocks we refuse (over {_cfg.PeerHardening.RejectsPerSecond}/s, peer-hardening.rejects-per-second)");
            return;
        }

        if (_state.Fast)
        {
            Send(new RejectRequest(r.Piece, r.Begin, r.Length));
        }
    }

    private void OnMetadataMessage(Extended x)
    {
        var info = _args.Metainfo.InfoBytes;
        var message = MetadataMessage.Decode(x.Payload, info.Length);
        if (message.Type == MetadataMessageType.Request)
        {
            // Each answer is a 16 KiB piece (or a reject): a peer asking over and over, reading or not, is making us
            // queue memory for it. Past the allowance it is disconnected, not merely ignored: an honest magnet fetch
            // asks for each piece once, and libtorrent likewise answers a flooding peer only up to its queue.
            (_metadataRequests, var allowed) = _metadataRequests.Take(_clock.GetUtcNow());
            if (!allowed)
            {
                Close($"asks for our metadata more than {_cfg.PeerHardening.MetadataFetchesPerWindow} times per {_cfg.PeerHardening.MetadataFetchWindow.TotalSeconds:0}s (peer-hardening.metadata-fetches-per-window)");
                return;
            }
        }

        Apply(_state.MetadataAsked(message, info));
    }

    /// <summary>The metadata allowance lets the peer fetch our whole info dictionary <c>metadata-fetches-per-window</c>
    /// times at once and again every window; the refusal allowance is <c>reject-burst</c> refilled at
    /// <c>rejects-per-second</c>.</summary>
    private static (RequestAllowance Metadata, RequestAllowance Refused) Allowances(PeerHardeningSettings h, int infoLength, DateTimeOffset now)
    {
        var perFetch = MetadataMessage.PieceCount(infoLength);
        double burst = Math.Max(1, h.MetadataFetchesPerWindow * perFetch);
        return (RequestAllowance.Full(burst, burst / h.MetadataFetchWindow.TotalSeconds, now), RequestAllowance.Full(h.RejectBurst, h.RejectsPerSecond, now));
    }
}
