using System.Net;
using Akka.Actor;
using Swarm.Protocol.Pex;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Torrent;

// Issue 15, peer exchange (BEP 11): every pex check-interval the torrent offers its connected peers to each
// connection (which sends the diff when its own interval has passed). Peers learnt by PEX arrive as AddPeers.
public sealed partial class TorrentActor
{
    /// <summary>Where incoming peers listen (their BEP 10 "p"), by connection key: their socket's port takes no dials.</summary>
    private readonly Dictionary<int, int> _listenPorts = [];

    /// <summary>BEP 27: a private torrent's peers come from its trackers only, so it never offers any either; its
    /// torrent then needs no PEX timer at all.</summary>
    private bool PexShared => _node.Settings.Pex.Enabled && !_meta.IsPrivate;

    private void OnPeerListenPort(PeerListenPort p)
    {
        if (PexShared && _peers.TryGet(p.Peer, out _))
        {
            _listenPorts[p.Peer] = p.Port;
        }
    }

    private void SharePex()
    {
        foreach (var gone in _listenPorts.Keys.Where(k => !_peers.TryGet(k, out _)).ToList())
        {
            _listenPorts.Remove(gone);
        }

        if (!PexShared)
        {
            return;
        }

        var established = _peers.Established.Where(p => !p.Banned).ToList();
        var known = new List<PexPeer>(established.Count);
        foreach (var p in established)
        {
            var flags = p.Has.IsComplete ? PexFlags.Seed : PexFlags.None;
            if (!p.Incoming)
            {
                known.Add(new PexPeer(p.EndPoint, flags | PexFlags.Reachable)); // we dialled it: it accepts connections
            }
            else if (_listenPorts.TryGetValue(p.Key, out var port))
            {
                known.Add(new PexPeer(new IPEndPoint(p.EndPoint.Address, port), flags));
            }
        }

        var snapshot = new PexSnapshot(known);
        foreach (var p in established)
        {
            p.Ref.Tell(snapshot);
        }
    }
}
