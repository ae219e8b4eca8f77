using System.Buffers.Binary;
using System.Net;
using Akka.Actor;
using Swarm.Protocol.Dht;
using static Swarm.Actors.Dht.DhtMessages;

namespace Swarm.Actors.Dht;

/// <summary>The DHT node's KRPC traffic: our queries and their transactions, and answers to other nodes' queries.
/// Answers go only to the address a query came from, are rate-limited per address and stay small (no amplification).</summary>
public sealed partial class DhtActor
{
    private readonly Dictionary<ushort, Pending> _pending = [];
    private TokenIssuer _tokens;
    private PeerStore _store;
    private AddressRateLimit _limit;
    private ushort _nextTransaction = (ushort)Random.Shared.Next(ushort.MaxValue);
    private long _malformed;

    private void SendQuery(IPEndPoint to, string method, NodeId? target, IActorRef? lookup, byte[]? token = null)
    {
        if (_pending.Count >= _settings.MaxPendingQueries || to.AddressFamily != _family)
        {
            lookup?.Tell(new NodeSilent(to));
            return;
        }

        var id = _nextTransaction++;
        var t = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(t, id);
        var query = method switch
        {
            "find_node" => new KrpcQuery(t, method, OwnId, Target: target),
            "get_peers" => new KrpcQuery(t, method, OwnId, InfoHash: target),
            "announce_peer" => new KrpcQuery(t, method, OwnId, InfoHash: target, Token: token, Port: _node.ListenPort),
            _ => new KrpcQuery(t, "ping", OwnId),
        };
        _pending[id] = new Pending(to, lookup, method, _clock.GetUtcNow() + _settings.QueryTimeout);
        _socket.Tell(new UdpPeerSocketMessages.SendDatagram(Krpc.Encode(query), to));
    }

    private void ExpireQueries(DateTimeOffset now)
    {
        foreach (var (id, p) in _pending.Where(kv => kv.Value.Deadline <= now).ToList())
        {
            _pending.Remove(id);
            _table = _table.Failed(p.To);
            p.Lookup?.Tell(new NodeSilent(p.To));
        }
    }

    private void OnDatagram(UdpPeerSocketMessages.KrpcDatagram d)
    {
        KrpcMessage message;
        try
        {
            message = Krpc.Decode(d.Bytes);
        }
        catch (KrpcException)
        {
            _malformed++;
            return;
        }

        var from = d.From.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(d.From.Address.MapToIPv4(), d.From.Port) : d.From;
        switch (message)
        {
            case KrpcQuery q:
                OnQuery(q, from);
                break;
            case KrpcResponse r:
                OnResponse(r, from);
                break;
            case KrpcError e:
                if (Take(e.TransactionId, from) is { } failed)
                {
                    failed.Lookup?.Tell(new NodeSilent(from));
                }

                break;
        }
    }

    /// <summary>The pending query this answers: same transaction id and from the very address we asked (else a
    /// stranger could answer for a node and poison the lookup).</summary>
    private Pending? Take(byte[] transactionId, IPEndPoint from)
    {
        if (transactionId.Length != 2)
        {
            return null;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(transactionId);
        if (!_pending.TryGetValue(id, out var p) || !p.To.Equals(from))
        {
            return null;
        }

        _pending.Remove(id);
        return p;
    }

    private void OnResponse(KrpcResponse r, IPEndPoint from)
    {
        if (Take(r.TransactionId, from) is not { } p)
        {
            return;
        }

        Observe(new DhtContact(r.Sender, from), answered: true);
        if (r.YourAddress is { } seen && !Protocol.Dht.AddressRules.IsLocal(seen.Address))
        {
            _external = seen.Address;
        }

        var nodes = r.Nodes.Where(n => n.EndPoint.AddressFamily == _family && _rules.Accepts(n.EndPoint) && !n.Id.Equals(OwnId)).Take(RoutingTable.K).ToList();
        p.Lookup?.Tell(new NodeAnswered(from, nodes, [.. r.Values.Where(_rules.Accepts)], r.Token));
        if (p.Lookup is null && p.Method == "find_node" && _selfLookup is null)
        {
            // A bootstrap node answered: find the nodes around our own id, which fills the table where it matters.
            _selfLookup = StartLookup(OwnId, getPeers: false);
        }
    }

    private void Observe(DhtContact contact, bool answered)
    {
        if (!_rules.Accepts(contact.EndPoint) || (_settings.EnforceNodeId && !Bep42.IsValid(contact.Id, contact.EndPoint.Address)))
        {
            return;
        }

        var result = _table.Observe(contact, _clock.GetUtcNow(), answered, perEndpoint: Protocol.Dht.AddressRules.IsLocal(contact.EndPoint.Address));
        _table = result.Table;
        if (result.PingFirst is { } questionable && !_pending.Values.Any(p => p.To.Equals(questionable.EndPoint)))
        {
            // Ping before evicting: if it answers it stays (old nodes stay longest), if not the newcomer replaces it.
            SendQuery(questionable.EndPoint, "ping", null, null);
        }
    }

    private void OnQuery(KrpcQuery q, IPEndPoint from)
    {
        var now = _clock.GetUtcNow();
        (_limit, var allowed) = _limit.Take(from.Address, now);
        if (!allowed)
        {
            return;
        }

        if (!q.ReadOnly)
        {
            // BEP 43: a read-only node asks but cannot be asked, so it stays out of the table.
            Observe(new DhtContact(q.Sender, from), answered: false);
        }

        KrpcMessage answer = q.Method switch
        {
            "ping" => Answer(q, from, [], []),
            "find_node" when q.Target is { } target => Answer(q, from, Closest(target), []),
            "get_peers" when q.InfoHash is { } hash => Answer(q, from, Closest(hash), PeersOf(hash, now)) with { Token = _tokens.Issue(from.Address) },
            "announce_peer" when q.InfoHash is { } hash && q.Token is { } token => Announced(q, hash, token, from, now),
            "ping" or "find_node" or "get_peers" or "announce_peer" => new KrpcError(q.TransactionId, 203, "Protocol Error: missing argument"),
            _ => new KrpcError(q.TransactionId, 204, "Method Unknown"),
        };
        _socket.Tell(new UdpPeerSocketMessages.SendDatagram(Krpc.Encode(answer), from));
    }

    private KrpcMessage Announced(KrpcQuery q, NodeId hash, byte[] token, IPEndPoint from, DateTimeOffset now)
    {
        if (!_tokens.IsValid(from.Address, token))
        {
            return new KrpcError(q.TransactionId, 203, "Protocol Error: bad token");
        }

        var peer = new IPEndPoint(from.Address, q.ImpliedPort || q.Port == 0 ? from.Port : q.Port);
        if (_rules.Accepts(peer))
        {
            _store = _store.Add(hash, peer, now);
            Deliver(hash, [peer]);
        }

        return Answer(q, from, [], []);
    }

    private KrpcResponse Answer(KrpcQuery q, IPEndPoint from, IReadOnlyList<DhtContact> nodes, IReadOnlyList<IPEndPoint> values) =>
        new(q.TransactionId, OwnId, nodes, values, null, from);

    private IReadOnlyList<DhtContact> Closest(NodeId target) => [.. _table.Closest(target).Select(n => n.Contact)];

    /// <summary>Peers announced to us, and us for a torrent we announce (in a small DHT we may be the closest node to
    /// our own torrent, and nobody else would name us).</summary>
    private IReadOnlyList<IPEndPoint> PeersOf(NodeId hash, DateTimeOffset now)
    {
        var peers = _store.Peers(hash, now, _settings.MaxValuesPerAnswer).ToList();
        if (_tracked.TryGetValue(hash.Hex, out var t) && t.Announce && SelfPeer() is { } self && !peers.Contains(self))
        {
            if (peers.Count >= _settings.MaxValuesPerAnswer)
            {
                peers.RemoveAt(peers.Count - 1);
            }

            peers.Add(self);
        }

        return peers;
    }

    /// <param name="Lookup">The lookup that asked (null for pings, bootstrap and announces).</param>
    private sealed record Pending(IPEndPoint To, IActorRef? Lookup, string Method, DateTimeOffset Deadline);
}
