using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Clustering;
using Swarm.Actors.Configuration;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Dht;
using static Swarm.Actors.Dht.DhtMessages;

namespace Swarm.Actors.Dht;

/// <summary>The node's Mainline DHT node (BEP 5): keeps the routing table, answers other nodes' queries
/// (<c>DhtActor.Krpc.cs</c>), runs a short-lived <see cref="DhtLookupActor"/> per lookup, announces every tracked
/// non-private torrent and hands the peers it finds to the torrent (or magnet) as <see cref="TorrentMessages.AddPeers"/>.
/// The table is saved to the state folder now and then and at stop, and loaded at start: a restarted node needs no
/// bootstrap. The rules (tables, tokens, lookups, limits) are pure types in Swarm.Protocol.Dht; this actor only acts.</summary>
public sealed partial class DhtActor : HandlerActor, IWithTimers
{
    private readonly NodeContext _node;
    private readonly DhtSettings _settings;
    private readonly IActorRef _socket;
    private readonly DhtStart _start;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly AddressFamily _family;
    private readonly IPEndPoint _local;
    private readonly Dictionary<string, Tracked> _tracked = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, (NodeId Target, DateTimeOffset Started)> _lookups = [];
    private readonly LinkedList<DhtLookupRecord> _recent = new();
    private readonly HashSet<string> _announced = new(StringComparer.Ordinal);
    private List<IPEndPoint> _bootstrap = [];
    private AddressRules _rules;
    private RoutingTable _table;
    private DateTimeOffset _nextSave;
    private DateTimeOffset _nextBootstrap;
    private IActorRef? _selfLookup;
    private IPAddress? _external;
    private DateTimeOffset _nextClusterCheck;
    private bool _clustered = true;

    public DhtActor(NodeContext node, IActorRef socket, DhtStart start)
    {
        _node = node;
        _settings = node.Settings.Dht;
        _socket = socket;
        _start = start;
        _clock = node.Clock;
        _local = (IPEndPoint)start.Udp.LocalEndPoint!;
        _family = _local.AddressFamily;
        var now = _clock.GetUtcNow();
        _rules = AddressRules.For(start.Bootstrap.Select(b => TrySplit(b, out var host, out _) && IPAddress.TryParse(host, out var ip) ? ip : null).OfType<IPAddress>());
        _table = Load(now);
        _tokens = TokenIssuer.Create(now);
        _store = PeerStore.Create(_settings.MaxStoredTorrents, _settings.MaxStoredPeersPerTorrent, _settings.StoredPeerExpiry);
        _limit = AddressRateLimit.Create(_settings.QueriesPerSecondPerAddress, _settings.QueryBurstPerAddress, _settings.MaxTrackedAddresses);
        _nextSave = now + _settings.SaveInterval;

        Receive<UdpPeerSocketMessages.KrpcDatagram>(OnDatagram);
        Receive<TrackOnDht>(OnTrack);
        Receive<Terminated>(OnTerminated);
        Receive<DhtTick>(_ => OnTick());
        Receive<BootstrapResolved>(OnBootstrapResolved);
        Receive<AskNode>(a => SendQuery(a.To.EndPoint, a.GetPeers ? "get_peers" : "find_node", a.Target, Sender));
        Receive<LookupPeers>(p => Deliver(p.Target, p.Peers));
        Receive<LookupEnded>(OnLookupEnded);
        Receive<GetDhtStatus>(_ => Sender.Tell(Status()));
        Receive<ClusterMessages.ClusterStateReply>(OnClusterState);
        Receive<ClusterMessages.NotClustered>(_ => _clustered = false);
        Receive<Status.Failure>(_ => { }); // a cluster state ask that timed out: asked again next time
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private NodeId OwnId => _table.Self;

    /// <param name="socket">The node's <see cref="UdpPeerSocketActor"/>: KRPC arrives from it and leaves through it.</param>
    public static Props Props(NodeContext node, IActorRef socket, DhtStart start) => Akka.Actor.Props.Create(() => new DhtActor(node, socket, start));

    protected override void PreStart()
    {
        _socket.Tell(new UdpPeerSocketMessages.RegisterKrpcHandler(Self));
        Context.System.EventStream.Subscribe(Self, typeof(TrackOnDht));
        Timers.StartPeriodicTimer("tick", DhtTick.Instance, _settings.TickInterval);
        _log.Info("DHT node {0} on UDP {1}: {2} node(s) from the saved table, {3} bootstrap node(s)", OwnId.Hex[..8], _local, _table.Count, _start.Bootstrap.Count);
        Resolve();
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        Save();
    }

    private void OnTrack(TrackOnDht t)
    {
        if (!TryParseHash(t.InfoHash, out var hash))
        {
            return;
        }

        Context.Watch(t.Torrent);
        _tracked[t.InfoHash] = new Tracked(hash, t.Torrent, t.Announce, _clock.GetUtcNow(), []);
        StartDueLookups();
    }

    private void OnTerminated(Terminated t)
    {
        foreach (var (key, tracked) in _tracked.Where(kv => kv.Value.Torrent.Equals(t.ActorRef)).ToList())
        {
            _tracked.Remove(key);
        }

        if (_lookups.Remove(t.ActorRef) && t.ActorRef.Equals(_selfLookup))
        {
            _selfLookup = null;
        }
    }

    private void OnTick()
    {
        var now = _clock.GetUtcNow();
        ExpireQueries(now);
        _tokens = _tokens.RotateIfDue(now, _settings.TokenRotation);
        _store = _store.Expire(now);
        if (_table.Count == 0 && now >= _nextBootstrap && _bootstrap.Count > 0)
        {
            Bootstrap(now);
        }

        foreach (var stale in _table.Questionable(now, 2))
        {
            SendQuery(stale.EndPoint, "ping", null, null);
        }

        if (_clustered && now >= _nextClusterCheck)
        {
            _nextClusterCheck = now + _settings.BootstrapRetryInterval;
            Context.Parent.Ask<object>(new ClusterMessages.GetClusterState(), _settings.BootstrapRetryInterval).PipeTo(Self);
        }

        StartDueLookups();
        if (now >= _nextSave)
        {
            Save();
            _nextSave = now + _settings.SaveInterval;
        }
    }

    private void StartDueLookups()
    {
        if (_table.Count == 0)
        {
            return;
        }

        var now = _clock.GetUtcNow();
        foreach (var (key, t) in _tracked.ToList())
        {
            if (t.Due > now || _lookups.Values.Any(l => l.Target.Equals(t.Hash)))
            {
                continue;
            }

            _tracked[key] = t with { Due = now + (t.Announce ? _settings.AnnounceInterval : _settings.MagnetLookupInterval) };
            StartLookup(t.Hash, getPeers: true);
            // Peers announced to us directly count as found too.
            Deliver(t.Hash, _store.Peers(t.Hash, now, _settings.MaxValuesPerAnswer));
        }
    }

    private IActorRef StartLookup(NodeId target, bool getPeers)
    {
        var seeds = _table.Closest(target, Lookup.MaxCandidates).Select(n => n.Contact).ToList();
        var child = Context.ActorOf(DhtLookupActor.Props(target, getPeers, seeds));
        Context.Watch(child);
        _lookups[child] = (target, _clock.GetUtcNow());
        return child;
    }

    private void OnLookupEnded(LookupEnded e)
    {
        var now = _clock.GetUtcNow();
        var started = _lookups.TryGetValue(Sender, out var l) ? l.Started : now;
        var tracked = _tracked.Values.FirstOrDefault(t => t.Hash.Equals(e.Target));
        var announceTo = e.GetPeers && tracked is { Announce: true } ? e.AnnounceTo : [];
        foreach (var node in announceTo)
        {
            SendQuery(node.Contact.EndPoint, "announce_peer", e.Target, null, node.Token);
        }

        if (announceTo.Count > 0)
        {
            _announced.Add(e.Target.Hex);
        }

        _recent.AddFirst(new DhtLookupRecord(e.Target.Hex, e.GetPeers ? "get_peers" : "find_node", e.Answered, e.Peers, announceTo.Count, now, now - started));
        while (_recent.Count > _settings.RecentLookupsKept)
        {
            _recent.RemoveLast();
        }

        _log.Debug("DHT lookup {0} ({1}): {2} answered, {3} peer(s), announced to {4}", e.Target.Hex[..8], e.GetPeers ? "get_peers" : "find_node", e.Answered, e.Peers, announceTo.Count);
    }

    /// <summary>Peers for <paramref name="target"/> go to its torrent, each once (the torrent bounds its own candidates).</summary>
    private void Deliver(NodeId target, IEnumerable<IPEndPoint> peers)
    {
        foreach (var (key, t) in _tracked.Where(kv => kv.Value.Hash.Equals(target)).ToList())
        {
            var fresh = peers.Where(p => _rules.Accepts(p) && !IsSelfPeer(p) && t.Delivered.Count < _node.Settings.Candidates.MaxPerTorrent && t.Delivered.Add(p)).ToList();
            if (fresh.Count > 0)
            {
                t.Torrent.Tell(new TorrentMessages.AddPeers(fresh, "the DHT"));
            }
        }
    }

    private DhtStatus Status() => new(
        OwnId.Hex,
        _local.ToString(),
        _table.Count,
        [.. _table.Buckets.Select(b => b.Nodes.Count)],
        _tracked.Count,
        _announced.Count,
        _store.TorrentCount,
        [.. _recent]);

    private void Resolve()
    {
        var entries = _start.Bootstrap;
        Task.Run(async () =>
        {
            var nodes = new List<IPEndPoint>();
            var failures = new List<string>();
            foreach (var entry in entries)
            {
                if (!TrySplit(entry, out var host, out var port))
                {
                    failures.Add($"{entry}: not HOST:PORT");
                    continue;
                }

                try
                {
                    var addresses = IPAddress.TryParse(host, out var ip) ? [ip] : await Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
                    nodes.AddRange(addresses.Select(a => new IPEndPoint(a, port)));
                }
                catch (SocketException e)
                {
                    failures.Add($"{entry}: {e.Message}");
                }
            }

            return new BootstrapResolved(nodes, failures);
        }).PipeTo(Self);
    }

    private void OnBootstrapResolved(BootstrapResolved r)
    {
        _bootstrap = [.. r.Nodes.Where(n => n.AddressFamily == _family)];
        // A name may resolve to a local address (localhost, a LAN router): its class is allowed like a literal's.
        _rules = _rules.Union(AddressRules.For(_bootstrap.Select(n => n.Address)));
        if (r.Failures.Count > 0)
        {
            // Info, not a warning: offline machines and tests without DNS are normal, and a saved table may suffice.
            _log.Info("DHT bootstrap: {0}", string.Join("; ", r.Failures));
        }

        if (_table.Count == 0)
        {
            Bootstrap(_clock.GetUtcNow());
        }
    }

    /// <summary>In a cluster, the other members are bootstrap nodes (their DHT listens on their peer port), so a cluster
    /// needs one reachable router at most. Members are trusted: their address class is allowed like a bootstrap node's.</summary>
    private void OnClusterState(ClusterMessages.ClusterStateReply state)
    {
        foreach (var member in state.Members.Where(m => !m.IsSelf && m.Reachable))
        {
            if (member.PeerEndPoint is not { } text || !IPEndPoint.TryParse(text, out var ep) || ep.Port == 0 || ep.AddressFamily != _family || _table.Find(ep) is not null)
            {
                continue;
            }

            _rules = _rules.Union(AddressRules.For([ep.Address]));
            SendQuery(ep, "find_node", OwnId, null);
        }
    }

    private void Bootstrap(DateTimeOffset now)
    {
        _nextBootstrap = now + _settings.BootstrapRetryInterval;
        foreach (var node in _bootstrap)
        {
            SendQuery(node, "find_node", OwnId, null);
        }
    }

    private bool IsSelfPeer(IPEndPoint p) => p.Port == _node.ListenPort && (p.Address.Equals(_local.Address) || p.Address.Equals(_external));

    /// <summary>Us as a peer of our own torrents, when we know the address others reach us at.</summary>
    private IPEndPoint? SelfPeer()
    {
        var address = _local.Address.Equals(IPAddress.Any) || _local.Address.Equals(IPAddress.IPv6Any) ? _external : _local.Address;
        return address is null ? null : new IPEndPoint(address, _node.ListenPort);
    }

    private RoutingTable Load(DateTimeOffset now)
    {
        if (_start.TableFile is { } file && File.Exists(file))
        {
            try
            {
                var (self, nodes, rules) = TableFile.Decode(File.ReadAllBytes(file));
                _rules = _rules.Union(rules);
                var table = RoutingTable.Empty(self);
                foreach (var n in nodes.Where(n => n.EndPoint.AddressFamily == _family && _rules.Accepts(n.EndPoint)))
                {
                    table = table.Observe(n, now, answered: false, perEndpoint: AddressRules.IsLocal(n.EndPoint.Address)).Table;
                }

                return table;
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                _log.Warning("DHT table {0} not loaded ({1}): starting from the bootstrap nodes", file, e.Message);
            }
        }

        return RoutingTable.Empty(Bep42.Applies(_local.Address) ? Bep42.Derive(_local.Address) : NodeId.Random());
    }

    private void Save()
    {
        if (_start.TableFile is not { } file || _table.Count == 0)
        {
            return;
        }

        try
        {
            var temp = file + ".tmp";
            File.WriteAllBytes(temp, TableFile.Encode(OwnId, _table.Nodes.Where(n => n.Failures < RoutingTable.BadAfterFailures).Select(n => n.Contact), _rules));
            File.Move(temp, file, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Warning("DHT table not saved to {0}: {1}", file, e.Message);
        }
    }

    private static bool TrySplit(string entry, out string host, out int port)
    {
        var colon = entry.LastIndexOf(':');
        host = colon > 0 ? entry[..colon].Trim('[', ']') : "";
        return int.TryParse(entry.AsSpan(colon + 1), out port) && colon > 0 && port is > 0 and <= 65535;
    }

    private static bool TryParseHash(string hex, out NodeId hash)
    {
        hash = default;
        if (hex.Length != 40)
        {
            return false;
        }

        try
        {
            hash = NodeId.FromHex(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <param name="Delivered">Peers already handed to the torrent (it keeps its own list; this only spares repeats).</param>
    private sealed record Tracked(NodeId Hash, IActorRef Torrent, bool Announce, DateTimeOffset Due, HashSet<IPEndPoint> Delivered);
}
