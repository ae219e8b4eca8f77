using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Pieces;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.Torrent.TorrentMessages;

namespace Swarm.Actors.Torrent;

// BEP 52 piece layers a v2 torrent lacks (added from a magnet or copied as a replica: only its info dictionary came):
// asked of connected peers a chunk at a time, each answer proved against its file's pieces root by
// PieceLayerAssembly, attached once a file's layer is whole, kept in the catalog row, and until then that file's
// pieces are not picked (nothing could verify them, and an honest peer would be blamed for the failure).
public sealed partial class TorrentActor
{
    private PieceLayerAssembly? _layerAssembly; // null once nothing is missing
    private PieceSet? _awaitingLayers; // pieces whose file's layer is not known yet
    private readonly Dictionary<(string Root, int Index), (int Peer, DateTimeOffset At)> _hashesAsked = [];
    private int _hashPeerTurn;

    private void InitLayerFetch()
    {
        // Only a v2-only torrent asks: a hybrid's pieces verify by SHA-1, and its v1 peers may hang up on message ids
        // they do not know (rtorrent does).
        var assembly = PieceLayerAssembly.For(_meta);
        _layerAssembly = assembly.IsComplete || _meta.PieceHashes.Length > 0 ? null : assembly;
        _awaitingLayers = null;
        if (_layerAssembly is null)
        {
            return;
        }

        _awaitingLayers = new PieceSet(_meta.PieceCount);
        for (var piece = 0; piece < _meta.PieceCount; piece++)
        {
            if (PieceExpectation.For(_meta, piece).Unverifiable)
            {
                _awaitingLayers.Add(piece);
            }
        }
    }

    private void ReceiveHashes()
    {
        Receive<HashesArrived>(OnHashesArrived);
        Receive<HashesRefused>(r => _hashesAsked.Remove((Convert.ToHexStringLower(r.Reject.PiecesRoot), r.Reject.Index)));
        Receive<LayerFetchTick>(_ => AskForLayers());
    }

    /// <summary>What of <paramref name="has"/> may be picked: not the pieces still waiting for their layer.</summary>
    private PieceSet Pickable(PieceSet has)
    {
        if (_awaitingLayers is not { Count: > 0 } awaiting)
        {
            return has;
        }

        var pickable = has.Clone();
        foreach (var piece in awaiting.Indices())
        {
            pickable.Remove(piece);
        }

        return pickable;
    }

    /// <summary>Each missing range not already asked (or asked too long ago, or of a peer that left) goes to the next
    /// connected peer in turn.</summary>
    private void AskForLayers()
    {
        if (_layerAssembly is null)
        {
            return;
        }

        var peers = _peers.Established.Where(p => !p.Banned).ToList();
        if (peers.Count == 0)
        {
            return;
        }

        var now = Now;
        foreach (var request in _layerAssembly.Missing())
        {
            var key = (Convert.ToHexStringLower(request.PiecesRoot), request.Index);
            if (_hashesAsked.TryGetValue(key, out var asked) && _peers.TryGet(asked.Peer, out var still) && still.Connected
                && now - asked.At < _node.Settings.Pipeline.RequestTimeout)
            {
                continue;
            }

            var peer = peers[_hashPeerTurn++ % peers.Count];
            _hashesAsked[key] = (peer.Key, now);
            peer.Ref.Tell(new AskHashes(request));
        }
    }

    private void OnHashesArrived(HashesArrived h)
    {
        if (_layerAssembly is null || !_peers.TryGet(h.Peer, out var entry))
        {
            return;
        }

        var key = (Convert.ToHexStringLower(h.Reply.PiecesRoot), h.Reply.Index);
        if (!_hashesAsked.TryGetValue(key, out var asked) || asked.Peer != h.Peer)
        {
            return; // an answer we did not ask this peer for (or already had from another): ignored
        }

        _hashesAsked.Remove(key);
        if (_layerAssembly.Accept(h.Reply) is not { } next)
        {
            if (!entry.Banned)
            {
                Ban(entry, $"sent piece-layer hashes that do not hash to the pieces root of range {h.Reply.Index}+{h.Reply.Length}");
            }

            AskForLayers();
            return;
        }

        var before = _meta.V2!.PieceLayers.Count;
        _layerAssembly = next;
        var meta = next.AttachTo(_meta);
        if (meta.V2!.PieceLayers.Count == before)
        {
            return; // a file still has chunks to come
        }

        // A file whose layer is whole can be picked and served at once; the catalog row is written once, at the end.
        _meta = meta;
        InitLayerFetchPieces();
        _peers.TellAll(new PieceLayersKnown(_meta));
        if (next.IsComplete)
        {
            _layerAssembly = null;
            Timers.Cancel("layers");
            _log.Info("{0}: piece layers of {1} file(s) fetched from peers and verified against their roots", Tag, meta.V2.PieceLayers.Count);
            Context.Parent.Tell(new Catalog.CatalogMessages.PieceLayersFetched(_meta.InfoHash.Hex, PieceLayers.Encode(_meta)!));
        }
    }

    /// <summary>Recomputes which pieces still wait, keeping the assembly as it is.</summary>
    private void InitLayerFetchPieces()
    {
        var assembly = _layerAssembly;
        InitLayerFetch();
        _layerAssembly = assembly;
    }

    private void StartLayerFetch()
    {
        if (_layerAssembly is not null)
        {
            _log.Info("{0}: v2 piece layers unknown for some files (a magnet or a replica): asking peers for them", Tag);
            Timers.StartPeriodicTimer("layers", LayerFetchTick.Instance, _node.Settings.StatsInterval);
        }
    }
}
