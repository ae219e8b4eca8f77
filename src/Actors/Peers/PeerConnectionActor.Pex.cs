using System.Net;
using Akka.Actor;
using Swarm.Protocol.PeerWire;
using Swarm.Protocol.Pex;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Peers;

// Issue 15, peer exchange (BEP 11): what this peer tells us through ut_pex goes, within PexIntake's bounds, to the
// torrent's candidates; what the torrent offers goes to the peer as PexState's diff. Never for a private torrent.
public sealed partial class PeerConnectionActor
{
    private PexState _pexSent = PexState.Empty;
    private PexIntake _pexIntake = PexIntake.Empty;
    private byte _theirPexId; // 0: the peer does not take ut_pex messages
    private IPEndPoint? _theirListenEndPoint;

    private bool PexOn => _cfg.Pex.Enabled && !_args.Metainfo.IsPrivate;

    private void OnExtensionHandshakeForPex(ExtensionHandshake h)
    {
        _theirPexId = PexOn && h.Extensions.TryGetValue(PexMessage.ExtensionName, out var id) ? (byte)id : (byte)0;
        if (h.ListenPort is { } port)
        {
            _theirListenEndPoint = new IPEndPoint(_args.EndPoint.Address, port);
            if (_args.Accepted is not null)
            {
                Context.Parent.Tell(new PeerListenPort(_args.Peer, port));
            }
        }
    }

    private void OnPexMessage(Extended x)
    {
        if (!PexOn)
        {
            return; // BEP 27: a private torrent's peers come from its trackers only; we never offered ut_pex
        }

        var message = PexMessage.Decode(x.Payload, _cfg.Pex.MaxAdded, _cfg.Pex.MaxDropped);
        var limits = new PexIntakeLimits(_cfg.Pex.MinReceiveInterval, _cfg.Pex.MaxLearntPerConnection);
        (_pexIntake, var peers) = _pexIntake.Take(message, _args.EndPoint.Address, _ours.IsComplete, _clock.GetUtcNow(), limits);
        if (peers.Count > 0)
        {
            Context.Parent.Tell(new Torrent.TorrentMessages.AddPeers(peers, "pex"));
        }
    }

    private void OnPexSnapshot(PexSnapshot snapshot)
    {
        if (_theirPexId == 0 || _closed)
        {
            return;
        }

        var others = snapshot.Peers.Where(p => !p.EndPoint.Equals(_args.EndPoint) && !p.EndPoint.Equals(_theirListenEndPoint));
        (_pexSent, var message) = _pexSent.Update(others, _clock.GetUtcNow(), _cfg.Pex.Interval, _cfg.Pex.MaxAdded, _cfg.Pex.MaxDropped);
        if (message is not null)
        {
            Send(new Extended(_theirPexId, message.Encode()));
        }
    }
}
