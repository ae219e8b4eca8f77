using Akka.Actor;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

// BEP 52 hash messages on this connection: a peer's `hash request` answered by HashServing (the rule lives there),
// within an allowance so a peer cannot make us hash and queue without end; `hashes` and `hash reject` passed to the
// torrent, which is the one gathering layers.
public sealed partial class PeerConnectionActor
{
    private HashServing? _hashServing;
    private RequestAllowance? _hashRequests;

    private void OnHashMessage(PeerMessage m)
    {
        switch (m)
        {
            case HashRequest r:
                OnHashRequest(r);
                break;
            case HashesReply h:
                Context.Parent.Tell(new PeerConnectionMessages.HashesArrived(_args.Peer, h));
                break;
            case HashReject h:
                Context.Parent.Tell(new PeerConnectionMessages.HashesRefused(_args.Peer, h));
                break;
        }
    }

    /// <summary>From the torrent; before the wire is up a request is dropped (the torrent asks again on its tick).</summary>
    private void OnHashCommand(object message, bool connected)
    {
        switch (message)
        {
            case PeerConnectionMessages.PieceLayersKnown known:
                OnPieceLayersKnown(known);
                break;
            case PeerConnectionMessages.AskHashes ask when connected:
                Send(ask.Request);
                break;
        }
    }

    private void OnHashRequest(HashRequest r)
    {
        // The same budget as our metadata: the peer may fetch every layer metadata-fetches-per-window times per window.
        var h = _cfg.PeerHardening;
        double burst = Math.Max(1, h.MetadataFetchesPerWindow * Math.Max(1, PieceLayerAssembly.RequestsForAll(_args.Metainfo)));
        (_hashRequests, var allowed) = (_hashRequests ?? RequestAllowance.Full(burst, burst / h.MetadataFetchWindow.TotalSeconds, _clock.GetUtcNow())).Take(_clock.GetUtcNow());
        if (!allowed)
        {
            Close($"asks for piece-layer hashes more than {burst:0} times per {h.MetadataFetchWindow.TotalSeconds:0}s (peer-hardening.metadata-fetches-per-window)");
            return;
        }

        _hashServing ??= new HashServing(_hashMetainfo ?? _args.Metainfo);
        Send(_hashServing.Answer(r));
    }

    /// <summary>Metainfo with the layers the torrent fetched since this connection started (null: the spawn's).</summary>
    private TorrentMetainfo? _hashMetainfo;

    private void OnPieceLayersKnown(PeerConnectionMessages.PieceLayersKnown known)
    {
        _hashMetainfo = known.Metainfo;
        _hashServing = null; // rebuilt on the next request, now able to serve the new layers
    }
}
