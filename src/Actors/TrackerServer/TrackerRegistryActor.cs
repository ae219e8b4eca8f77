using System.Net;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.TrackerServer;

/// <summary>Peers counted across every swarm of one tracker, so that a flood of distinct peers (or of torrents)
/// meets one global bound instead of exhausting memory.</summary>
public sealed class PeerBudget(int max)
{
    private int _used;

    public int Used => Volatile.Read(ref _used);

    public bool TryTake()
    {
        if (Interlocked.Increment(ref _used) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref _used);
        return false;
    }

    public void Give(int count) => Interlocked.Add(ref _used, -count);
}

/// <summary>The tracker's index: one <see cref="TrackedTorrentActor"/> per info-hash (created on its first announce,
/// gone when its swarm is empty), within <c>max-torrents</c> and a node-wide peer budget. Scrapes are answered from
/// the swarms themselves.</summary>
public sealed class TrackerRegistryActor : ReceiveActor
{
    private readonly TrackerServerSettings _settings;
    private readonly PeerBudget _budget;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _swarms = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, IReadOnlyList<(IPEndPoint EndPoint, bool Complete)>> _cluster = new Dictionary<string, IReadOnlyList<(IPEndPoint, bool)>>();
    private long _announces;

    public TrackerRegistryActor(TrackerServerSettings settings)
    {
        _settings = settings;
        _budget = new PeerBudget(settings.MaxPeers);
        Receive<Announce>(a =>
        {
            _announces++;
            var hash = a.Request.InfoHash.Hex;
            if (!_swarms.TryGetValue(hash, out var swarm))
            {
                if (a.Request.Event == AnnounceEvent.Stopped)
                {
                    Sender.Tell(new AnnounceAnswer(_settings.Interval, _settings.MinInterval, 0, 0, []));
                    return;
                }

                if (_swarms.Count >= _settings.MaxTorrents)
                {
                    Sender.Tell(new AnnounceRefused($"this tracker is full ({_settings.MaxTorrents} torrents)"));
                    return;
                }

                swarm = Context.Watch(Context.ActorOf(TrackedTorrentActor.Props(a.Request.InfoHash, _settings, _budget), $"swarm-{hash}"));
                _swarms[hash] = swarm;
                if (_cluster.TryGetValue(hash, out var members))
                {
                    swarm.Tell(new TrackedTorrentActor.ClusterPeers(members));
                }
            }

            swarm.Forward(a);
        });
        Receive<Scrape>(s =>
        {
            var sender = Sender;
            Task.WhenAll(s.InfoHashes.Select(async h =>
                _swarms.TryGetValue(h.Hex, out var swarm)
                    ? await swarm.Ask<ScrapeEntry>(new TrackedTorrentActor.GetCounts(), TimeSpan.FromSeconds(5)).ConfigureAwait(false)
                    : new ScrapeEntry(h, 0, 0, 0)))
                .PipeTo(sender, success: entries => new ScrapeAnswer(entries));
        });
        Receive<GetTrackerStats>(_ => Sender.Tell(new TrackerStats(_swarms.Count, _budget.Used, _announces)));
        Receive<Clustering.ClusterMessages.ClusterPeersChanged>(c =>
        {
            // Inside a cluster the tracker also answers with the members holding the torrent (from the gossip).
            foreach (var (hash, swarm) in _swarms)
            {
                var before = _cluster.TryGetValue(hash, out var b) ? b : [];
                var after = c.Peers.TryGetValue(hash, out var a) ? a : [];
                if (!before.SequenceEqual(after))
                {
                    swarm.Tell(new TrackedTorrentActor.ClusterPeers(after));
                }
            }

            _cluster = c.Peers;
        });
        Receive<Terminated>(t =>
        {
            foreach (var key in _swarms.Where(kv => kv.Value.Equals(t.ActorRef)).Select(kv => kv.Key).ToList())
            {
                _swarms.Remove(key);
            }
        });
    }

    public static Props Props(TrackerServerSettings settings) => Akka.Actor.Props.Create(() => new TrackerRegistryActor(settings));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(Clustering.ClusterMessages.ClusterPeersChanged));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.Error("a tracked swarm failed and is restarted empty: {0}", e.Message);
        return Directive.Restart;
    });
}

/// <summary>One torrent's swarm as the tracker sees it: peers by address and port with their peer id, whether they
/// are seeds, and when they last announced. Peers silent for <c>peer-expiry</c> are dropped; the actor stops once
/// its swarm has been empty for one expiry period.</summary>
public sealed class TrackedTorrentActor : ReceiveActor, IWithTimers
{
    private readonly Protocol.InfoHash _hash;
    private readonly TrackerServerSettings _settings;
    private readonly PeerBudget _budget;
    private readonly Dictionary<IPEndPoint, Peer> _peers = [];
    private IReadOnlyList<(IPEndPoint EndPoint, bool Complete)> _clusterPeers = [];
    private int _completed;
    private DateTime _emptySince = DateTime.UtcNow;

    public TrackedTorrentActor(Protocol.InfoHash hash, TrackerServerSettings settings, PeerBudget budget)
    {
        _hash = hash;
        _settings = settings;
        _budget = budget;
        Receive<Announce>(OnAnnounce);
        Receive<GetCounts>(_ => Sender.Tell(Counts()));
        Receive<ClusterPeers>(c => _clusterPeers = c.Peers);
        Receive<Expire>(_ => ExpirePeers());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Protocol.InfoHash hash, TrackerServerSettings settings, PeerBudget budget) =>
        Akka.Actor.Props.Create(() => new TrackedTorrentActor(hash, settings, budget));

    protected override void PreStart() => Timers.StartPeriodicTimer("expire", new Expire(), _settings.PeerExpiry / 4);

    protected override void PostStop() => _budget.Give(_peers.Count);

    private void OnAnnounce(Announce a)
    {
        var r = a.Request;
        var from = a.From.IsIPv4MappedToIPv6 ? a.From.MapToIPv4() : a.From;
        var endpoint = new IPEndPoint(from, r.Port);
        var now = DateTime.UtcNow;
        if (r.Event == AnnounceEvent.Stopped)
        {
            if (_peers.Remove(endpoint))
            {
                _budget.Give(1);
            }
        }
        else if (_peers.TryGetValue(endpoint, out var known))
        {
            known.Update(r.PeerId, r.Left, now);
        }
        else if (_peers.Count < _settings.MaxPeersPerTorrent && _budget.TryTake())
        {
            _peers[endpoint] = new Peer(endpoint, r.PeerId, r.Left, now);
        }

        // Full swarm or budget: the peer is answered but not remembered.
        if (r.Event == AnnounceEvent.Completed)
        {
            _completed++;
        }

        // Cluster members holding the torrent count as peers too, unless they announced here themselves.
        var members = _clusterPeers.Where(m => !_peers.ContainsKey(m.EndPoint) && !m.EndPoint.Equals(endpoint))
            .Select(m => new Peer(m.EndPoint, new byte[20], m.Complete ? 0 : 1, now));
        var others = _peers.Values.Where(p => !p.EndPoint.Equals(endpoint)).Concat(members).ToList();
        // A seed needs leechers only.
        var pool = r.Left == 0 ? others.Where(p => p.Left > 0).ToList() : others;
        var chosen = pool.Count <= r.NumWant ? pool : [.. pool.OrderBy(_ => Random.Shared.Next()).Take(r.NumWant)];
        var counts = Counts();
        Sender.Tell(new AnnounceAnswer(_settings.Interval, _settings.MinInterval, counts.Seeders, counts.Leechers, [.. chosen.Select(p => (p.EndPoint, p.PeerId))]));
    }

    private ScrapeEntry Counts()
    {
        var members = _clusterPeers.Where(m => !_peers.ContainsKey(m.EndPoint)).ToList();
        var seeders = _peers.Values.Count(p => p.Left == 0) + members.Count(m => m.Complete);
        return new ScrapeEntry(_hash, seeders, _completed, _peers.Count + members.Count - seeders);
    }

    private void ExpirePeers()
    {
        var now = DateTime.UtcNow;
        var expired = _peers.Values.Where(p => now - p.LastSeen > _settings.PeerExpiry).Select(p => p.EndPoint).ToList();
        foreach (var e in expired)
        {
            _peers.Remove(e);
        }

        _budget.Give(expired.Count);
        if (_peers.Count > 0)
        {
            _emptySince = now;
        }
        else if (now - _emptySince > _settings.PeerExpiry)
        {
            Context.Stop(Self);
        }
    }

    public sealed record GetCounts;

    public sealed record ClusterPeers(IReadOnlyList<(IPEndPoint EndPoint, bool Complete)> Peers);

    private sealed record Expire;

    private sealed class Peer(IPEndPoint endPoint, byte[] peerId, long left, DateTime lastSeen)
    {
        public IPEndPoint EndPoint { get; } = endPoint;

        public byte[] PeerId { get; private set; } = peerId;

        public long Left { get; private set; } = left;

        public DateTime LastSeen { get; private set; } = lastSeen;

        public void Update(byte[] peerId, long left, DateTime now)
        {
            PeerId = peerId;
            Left = left;
            LastSeen = now;
        }
    }
}
