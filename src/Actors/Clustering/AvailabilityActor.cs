using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Swarm.Actors.Catalog;
using Swarm.Actors.Torrent;
using static Swarm.Actors.Clustering.ClusterMessages;
using ClusterSettings = Swarm.Actors.Configuration.ClusterSettings;

namespace Swarm.Actors.Clustering;

/// <summary>The node's presence in the cluster (at /user/node/cluster): keeps this member's view of the cluster and
/// acts on it. The view is the membership plus what every member gossips with Akka.DistributedData (one LWW entry per
/// member, written only by that member); acting on it means gossiping this member's holdings, dropping entries of
/// members gone, feeding members as peers to the local torrents and the tracker, refusing a mismatched protocol
/// version, feeding the <see cref="ReplicationActor"/>, and answering the cluster commands. The decisions are pure
/// types (<see cref="MembershipView"/>, <see cref="StaleEntries"/>, <see cref="PeerFeed"/>,
/// <see cref="ProtocolVersionCheck"/>); adds and searches, being conversations, run as child actors.</summary>
public sealed class AvailabilityActor : HandlerActor, IWithTimers
{
    public static readonly LWWDictionaryKey<string, MemberHoldings> HoldingsKey = new("swarm-holdings");
    public static readonly LWWDictionaryKey<string, int> FactorsKey = new("swarm-replication-factors");

    private readonly IActorRef _torrents;
    private readonly ClusterNodeInfo _info;
    private readonly ClusterSettings _settings;
    private readonly TimeProvider _clock;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private ImmutableDictionary<string, MemberHoldings> _holdings = ImmutableDictionary.Create<string, MemberHoldings>(StringComparer.Ordinal);
    private ImmutableDictionary<string, int> _factors = ImmutableDictionary.Create<string, int>(StringComparer.Ordinal);
    private StaleEntries _stale = StaleEntries.None;
    private PeerFeed _peers = PeerFeed.Empty;
    private ImmutableHashSet<string> _fedUsable = ImmutableHashSet<string>.Empty;
    private ProtocolVersionCheck _versions;
    private MemberHoldings? _published;
    private IActorRef _replication = ActorRefs.Nobody;
    private long _conversations;

    /// <param name="torrents">The local catalog.</param>
    /// <param name="clock">The node's clock: stale entries are timed on it.</param>
    public AvailabilityActor(IActorRef torrents, ClusterNodeInfo info, ClusterSettings settings, TimeProvider clock)
    {
        _torrents = torrents;
        _info = info;
        _settings = settings;
        _clock = clock;
        _versions = ProtocolVersionCheck.For(settings.ProtocolVersion);

        Receive<Changed>(c =>
        {
            if (c.Key.Equals(HoldingsKey))
            {
                _holdings = MembershipView.Entries(c.Get(HoldingsKey).Entries);
                CheckProtocolVersions();
            }
            else if (c.Key.Equals(FactorsKey))
            {
                _factors = MembershipView.Entries(c.Get(FactorsKey).Entries);
            }

            FeedPeers();
            SendView();
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(f => _log.Warning("cluster gossip update failed: {0}", f));
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            Forget(Membership.KeyOf(m.Member.UniqueAddress), $"member {m.Member.Address} was removed");
            SendView();
        });
        Receive<ClusterEvent.MemberUp>(m =>
        {
            _log.Info("member {0} is up", m.Member.Address);
            SendView();
        });
        Receive<ClusterEvent.IMemberEvent>(_ => SendView());
        Receive<ClusterEvent.UnreachableMember>(m =>
        {
            _log.Warning("member {0} is unreachable: its copies no longer count", m.Member.Address);
            SendView();
        });
        Receive<ClusterEvent.IReachabilityEvent>(_ => SendView());
        Receive<ViewTick>(_ =>
        {
            // Peers are fed on gossip changes; a member that became usable after the last one is fed here.
            var view = View();
            if (!view.Usable().SetEquals(_fedUsable))
            {
                FeedPeers();
            }

            _replication.Tell(view.ReplicationView());
        });
        Receive<PublishTick>(_ => _torrents.Ask<CatalogMessages.TorrentList>(new CatalogMessages.ListTorrents(), _settings.PublishInterval * 5)
            .PipeTo(Self, success: l => new LocalTorrentsRead(l.Torrents), failure: _ => new LocalTorrentsRead(null)));
        Receive<LocalTorrentsRead>(l =>
        {
            if (l.Torrents is not null)
            {
                PublishOwn(l.Torrents);
            }

            DropStaleEntries();
        });
        Receive<JoinCheck>(_ =>
        {
            if (!Membership.Read(_cluster).SelfJoined)
            {
                _log.Warning(
                    "not a cluster member after {0:0} s: check that the seed nodes ({1}) run and are reachable, and that they use the same cluster name ('{2}') and version",
                    _settings.JoinWarningAfter.TotalSeconds,
                    _settings.SeedNodes.Count == 0 ? "none: this node founds its own cluster" : string.Join(", ", _settings.SeedNodes),
                    _settings.Name);
            }
        });
        Receive<Akka.Remote.ThisActorSystemQuarantinedEvent>(q =>
        {
            // The others removed this member while it was unreachable (frozen, partitioned) and will never talk to this
            // incarnation again. Without this it would carry on as a cluster of its own: leave, so that the node
            // restarts and joins again as a new incarnation.
            _log.Error("this member was quarantined by {0}: the cluster removed it while it was unreachable; leaving to rejoin", q.RemoteAddress);
            _cluster.Down(_cluster.SelfAddress);
        });

        // between members
        Receive<GetMetainfo>(g => _torrents.Ask(new CatalogMessages.GetInfoDictionary(g.InfoHash), _settings.FetchTimeout)
            .PipeTo(Sender, success: r => r is CatalogMessages.InfoDictionary d ? new MetainfoFound(d.Bytes, d.Trackers) { PieceLayers = d.PieceLayers } : new MetainfoMissing()));
        Receive<SearchMember>(q => _torrents.Ask<CatalogMessages.CatalogHits>(new CatalogMessages.SearchCatalog(q.Words), _settings.FetchTimeout)
            .PipeTo(Sender, success: h => new MemberHits(_cluster.SelfAddress.ToString(), h.Hits)));

        // cluster commands
        Receive<GetClusterState>(_ => Sender.Tell(View().State(_settings.ReplicationFactor)));
        Receive<AddFromCluster>(a => StartAdd(a, replica: false, Sender));
        Receive<SearchCluster>(q =>
        {
            var view = View();
            Context.ActorOf(ClusterSearchActor.Props(view.SearchAddresses(), q.Words, view.UsableHoldings(), _settings.FetchTimeout, Sender), $"search-{++_conversations}");
        });
        Receive<SetReplicationFactor>(s =>
        {
            var key = s.InfoHash;
            _replicator.Tell(Dsl.Update(FactorsKey, LWWDictionary<string, int>.Empty, WriteLocal.Instance, d => s.Factor is { } f ? d.SetItem(_cluster.SelfUniqueAddress, key, f) : d.Remove(_cluster.SelfUniqueAddress, key)));
            Sender.Tell(new ReplicationFactorSet(key, s.Factor ?? _settings.ReplicationFactor));
        });

        // from the replication actor
        Receive<Replicate>(r =>
        {
            _log.Info("torrent {0}: {1}; this member adds one", r.InfoHash[..Math.Min(8, r.InfoHash.Length)], r.Why);
            StartAdd(new AddFromCluster(r.InfoHash, _info.DefaultSavePath, "replication"), replica: true, ActorRefs.Nobody);
        });
        Receive<ReleaseReplica>(r =>
        {
            var hash = r.InfoHash;
            _log.Info("torrent {0}: {1}; this member releases its copy and deletes its data", hash[..8], r.Why);
            _torrents.Ask(new CatalogMessages.RemoveTorrent(hash, DeleteData: true, OnlyIfReplica: true), _settings.FetchTimeout)
                .PipeTo(Self, success: o => new ReplicaReleased(hash, o), failure: e => new ReplicaReleased(hash, e.Message));
        });
        Receive<ReplicaReleased>(r =>
        {
            switch (r.Outcome)
            {
                case CatalogMessages.RemoveTorrentReply { DeleteError: null } removed:
                    _log.Info("torrent {0}: surplus copy released ({1} file(s) deleted)", r.InfoHash[..8], removed.FilesDeleted);
                    break;
                case CatalogMessages.RemoveTorrentReply { DeleteError: { } error }:
                    _log.Warning("torrent {0}: surplus copy released, but deleting its data failed: {1}", r.InfoHash[..8], error);
                    break;
                default:
                    _log.Warning("torrent {0}: releasing the surplus copy failed: {1}", r.InfoHash[..8], r.Outcome);
                    break;
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>Where a member's availability actor is, from its cluster address.</summary>
    public static string PathAt(string memberAddress) => $"{memberAddress}/user/node/cluster";

    /// <param name="clock">The node's clock (<see cref="NodeContext.Clock"/>).</param>
    public static Props Props(IActorRef torrents, ClusterNodeInfo info, ClusterSettings settings, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new AvailabilityActor(torrents, info, settings, clock));

    protected override void PreStart()
    {
        _replicator.Tell(Dsl.Subscribe(HoldingsKey, Self));
        _replicator.Tell(Dsl.Subscribe(FactorsKey, Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Context.System.EventStream.Subscribe(Self, typeof(Akka.Remote.ThisActorSystemQuarantinedEvent));
        _replication = Context.ActorOf(ReplicationActor.Props(Self, _settings, _clock), "replication");
        Timers.StartPeriodicTimer("publish", new PublishTick(), _settings.PublishInterval);
        // A view built on an event is not enough: the membership in it is read from Cluster.State, which Akka updates
        // from the same events in an actor of its own, so it can still lag the event being handled. If that event was
        // the last one (a member seen up or reachable again after the gossip settled), the replication actor would plan
        // on a stale view for good: a member thinking itself not up yet picks another, which picks it, and no copy is
        // made. A fresh view every evaluation interval bounds the lag to one interval (and feeds peers anew when the
        // usable members changed since they were last fed).
        Timers.StartPeriodicTimer("view", new ViewTick(), _settings.ReplicationEvaluateInterval);
        Timers.StartSingleTimer("join-check", new JoinCheck(), _settings.JoinWarningAfter);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    /// <summary>The view now: Akka.Cluster keeps the membership current on its own, so it is read at each use.</summary>
    private MembershipView View() => new(Membership.Read(_cluster), _holdings, _factors, _settings.ProtocolVersion);

    private void PublishOwn(IReadOnlyList<TorrentStatus> torrents)
    {
        var key = Membership.KeyOf(_cluster.SelfUniqueAddress);
        var mine = OwnHoldings.Describe(key, _cluster.SelfAddress.ToString(), _info, torrents, FreeSpace.WholeGiBAt(_info.DefaultSavePath), _settings.ProtocolVersion);
        if (!OwnHoldings.IsNews(_published, mine))
        {
            return;
        }

        _published = mine;
        _replicator.Tell(Dsl.Update(HoldingsKey, LWWDictionary<string, MemberHoldings>.Empty, WriteLocal.Instance, d => d.SetItem(_cluster.SelfUniqueAddress, key, mine)));
    }

    private void Forget(string key, string why)
    {
        if (_holdings.ContainsKey(key))
        {
            _log.Info("dropping the gossip entry of {0}: {1}", key, why);
            _replicator.Tell(Dsl.Update(HoldingsKey, LWWDictionary<string, MemberHoldings>.Empty, WriteLocal.Instance, d => d.Remove(_cluster.SelfUniqueAddress, key)));
        }
    }

    private void DropStaleEntries()
    {
        (_stale, var drop) = _stale.Review(_holdings.Keys, Membership.Read(_cluster).Keys(), _clock.GetUtcNow(), _settings.StaleEntryAfter);
        foreach (var key in drop)
        {
            Forget(key, "not a member any more");
        }
    }

    private void FeedPeers()
    {
        var view = View();
        _fedUsable = view.Usable();
        var step = _peers.Next(view.UsableHoldings(), view.Membership.SelfKey, _published?.Torrents ?? []);
        _peers = step.Feed;
        Context.System.EventStream.Publish(new ClusterPeersChanged(step.TrackerPeers));
        foreach (var fed in step.NewPeers)
        {
            _torrents.Tell(new CatalogMessages.ForTorrent(fed.InfoHash, new TorrentMessages.AddPeers(fed.Peers, "cluster")));
        }
    }

    private void CheckProtocolVersions()
    {
        var review = _versions.Review(Membership.Read(_cluster), _holdings.Values);
        _versions = review.Next;
        foreach (var other in review.LeftOut)
        {
            _log.Error(
                "member {0} speaks swarm cluster protocol {1}, this node {2}: it is refused and leaves; until it is gone it is left out (no peers from it, its copies do not count). Run one version across the cluster",
                other.Address,
                other.ProtocolVersion,
                _settings.ProtocolVersion);
        }

        if (review.Refusal is { } reason)
        {
            _log.Error("{0}; leaving", reason);
            Context.System.EventStream.Publish(new MembershipRefused(reason));
            _cluster.Leave(_cluster.SelfAddress);
        }
    }

    private void SendView() => _replication.Tell(View().ReplicationView());

    /// <summary>Adding a torrent from the cluster is a conversation with its holders and the catalog: a child runs it.</summary>
    private void StartAdd(AddFromCluster request, bool replica, IActorRef replyTo) =>
        Context.ActorOf(
            AddFromClusterActor.Props(request, replica, View().SourcesFor(request.InfoHash), _torrents, _settings.FetchTimeout, replyTo),
            $"add-{++_conversations}");

    private sealed record PublishTick;

    private sealed record ViewTick;

    private sealed record JoinCheck;

    private sealed record LocalTorrentsRead(IReadOnlyList<TorrentStatus>? Torrents);

    private sealed record ReplicaReleased(string InfoHash, object Outcome);
}
