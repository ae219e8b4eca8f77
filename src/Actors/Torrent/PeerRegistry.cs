using System.Net;
using Akka.Actor;
using Swarm.Actors.Pieces;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Torrent;

/// <summary>A torrent's connections, by key and by actor. Mutable like the picker, and owned by the one torrent
/// actor: piece sets and stats change many times a second and are never shared.</summary>
internal sealed class PeerRegistry
{
    private readonly Dictionary<int, PeerEntry> _byKey = [];
    private readonly Dictionary<IActorRef, int> _keyByRef = [];
    private int _lastKey;

    public int Count => _byKey.Count;

    public IEnumerable<PeerEntry> All => _byKey.Values;

    /// <summary>Connections whose handshake succeeded.</summary>
    public IEnumerable<PeerEntry> Established => _byKey.Values.Where(p => p.Connected);

    public int UnchokedCount => _byKey.Values.Count(p => p.Unchoked);

    /// <summary>The key for the next connection (it names the connection's actor).</summary>
    public int NextKey() => ++_lastKey;

    public PeerEntry Add(int key, IActorRef actor, IPEndPoint endpoint, string? candidateKey, int pieceCount)
    {
        var entry = new PeerEntry(key, actor, endpoint, candidateKey, new PieceSet(pieceCount));
        _byKey[key] = entry;
        _keyByRef[actor] = key;
        return entry;
    }

    public bool TryGet(int key, out PeerEntry entry) => _byKey.TryGetValue(key, out entry!);

    /// <summary>The connection whose actor ended, if it was one of ours.</summary>
    public PeerEntry? Remove(IActorRef actor) =>
        _keyByRef.Remove(actor, out var key) && _byKey.Remove(key, out var entry) ? entry : null;

    /// <summary>Another established connection already talks to the peer with this id.</summary>
    public bool HasOtherConnectionTo(PeerEntry entry, string peerId) =>
        _byKey.Values.Any(p => p != entry && p.Connected && p.PeerId == peerId);

    public void TellAll(object message)
    {
        foreach (var p in _byKey.Values)
        {
            p.Ref.Tell(message);
        }
    }
}

/// <summary>One connection as the torrent sees it.</summary>
internal sealed class PeerEntry(int key, IActorRef actor, IPEndPoint endpoint, string? candidateKey, PieceSet has)
{
    public int Key { get; } = key;

    public IActorRef Ref { get; } = actor;

    public IPEndPoint EndPoint { get; } = endpoint;

    /// <summary>The endpoint as text, made once: every received block names its contributor by it.</summary>
    public string EndPointText { get; } = endpoint.ToString();

    /// <summary>The candidate it was dialled for (null for an incoming connection).</summary>
    public string? CandidateKey { get; } = candidateKey;

    public PieceSet Has { get; set; } = has;

    /// <summary>Its handshake succeeded.</summary>
    public bool Connected { get; set; }

    /// <summary>Banned and being disconnected: no longer one of ours, even before its actor has stopped.</summary>
    public bool Banned { get; set; }

    public bool Incoming { get; set; }

    /// <summary>What carries the connection (<c>tcp</c>, <c>utp</c>).</summary>
    public string Transport { get; set; } = "tcp";

    public bool Encrypted { get; set; }

    public bool Interested { get; set; }

    public bool Unchoked { get; set; }

    public string? PeerId { get; set; }

    public string? Client { get; set; }

    public PeerStats? Stats { get; set; }
}
