using System.Net;
using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Actors.Catalog;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Clustering.ClusterMessages;
using ClusterSettings = Swarm.Actors.Configuration.ClusterSettings;

namespace Swarm.Actors.Clustering;

/// <summary>What the cluster actors know about their own node.</summary>
/// <param name="PeerEndPoint">Where other members dial this node's peer port (cluster host and peer port).</param>
/// <param name="DefaultSavePath">Where copies made for resilient seeding (and adds by info-hash without a folder) go.</param>
public sealed record ClusterNodeInfo(string NodeId, string PeerEndPoint, string DefaultSavePath);

/// <summary>The node's presence in the cluster (at /user/node/cluster). It gossips what this member holds with
/// Akka.DistributedData (one LWW entry per member, written only by that member), turns the other members' entries
/// into peers for the local torrents (so members find each other without a tracker), serves metainfo to members
/// adding a torrent by info-hash, and feeds its <see cref="ReplicationActor"/> the cluster view for resilient
/// seeding. Entries of members the cluster removed are deleted.</summary>
public sealed class AvailabilityActor : ReceiveActor, IWithTimers
{
    public static readonly LWWDictionaryKey<string, MemberHoldings> HoldingsKey = new("swarm-holdings");
    public static readonly LWWDictionaryKey<string, int> FactorsKey = new("swarm-replication-factors");

    /// <summary>An entry whose member is not in the membership is dropped after this (a member that left while this
    /// one was away); a joining member's first entry may arrive before its membership does.</summary>
    private static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(30);

    private readonly IActorRef _torrents;
    private readonly ClusterNodeInfo _info;
    private readonly ClusterSettings _settings;
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly IActorRef _replicator = DistributedData.Get(Context.System).Replicator;
    private readonly UniqueAddress _selfNode = Akka.Cluster.Cluster.Get(Context.System).SelfUniqueAddress;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, string[]> _peersSent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _absentSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _incompatibleLogged = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, MemberHoldings> _holdings = new Dictionary<string, MemberHoldings>();
    private IReadOnlyDictionary<string, int> _factors = new Dictionary<string, int>();
    private MemberHoldings? _published;
    private IActorRef _replication = ActorRefs.Nobody;

    public AvailabilityActor(IActorRef torrents, ClusterNodeInfo info, ClusterSettings settings)
    {
        _torrents = torrents;
        _info = info;
        _settings = settings;

        Receive<Changed>(c =>
        {
            if (c.Key.Equals(HoldingsKey))
            {
                _holdings = View(c.Get(HoldingsKey).Entries);
                CheckProtocolVersions();
            }
            else if (c.Key.Equals(FactorsKey))
            {
                _factors = View(c.Get(FactorsKey).Entries);
            }

            FeedPeers();
            SendView();
        });
        Receive<UpdateSuccess>(_ => { });
        Receive<IUpdateFailure>(f => _log.Warning("cluster gossip update failed: {0}", f));
        Receive<ClusterEvent.MemberRemoved>(m =>
        {
            Forget(Key(m.Member.UniqueAddress), $"member {m.Member.Address} was removed");
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
        Receive<Publish>(_ => _torrents.Ask<CatalogMessages.TorrentList>(new CatalogMessages.ListTorrents(), _settings.PublishInterval * 5)
            .PipeTo(Self, success: l => new LocalTorrents(l.Torrents), failure: e => new LocalTorrents(null)));
        Receive<LocalTorrents>(l =>
        {
            if (l.Torrents is not null)
            {
                PublishOwn(l.Torrents);
            }

            DropStaleEntries();
        });
        Receive<JoinCheck>(_ =>
        {
            if (_cluster.SelfMember.Status is MemberStatus.Joining or MemberStatus.Removed || !_cluster.State.Members.Contains(_cluster.SelfMember))
            {
                _log.Warning(
                    "not a cluster member after {0:0} s: check that the seed nodes ({1}) run and are reachable, and that they use the same cluster name ('{2}') and version",
                    _settings.JoinWarningAfter.TotalSeconds,
                    _settings.SeedNodes.Count == 0 ? "none: this node founds its own cluster" : string.Join(", ", _settings.SeedNodes),
                    _settings.Name);
            }
        });
        Receive<GetMetainfo>(g => _torrents.Ask(new CatalogMessages.GetInfoDictionary(g.InfoHash), _settings.FetchTimeout)
            .PipeTo(Sender, success: r => r is CatalogMessages.InfoDictionary d ? new MetainfoFound(d.InfoHash, d.Bytes, d.Trackers) : new MetainfoMissing(g.InfoHash)));
        Receive<AddFromCluster>(a => FetchAndAdd(a.InfoHash, a.SavePath, a.Reason, replica: false).PipeTo(Sender));
        Receive<Replicate>(r =>
        {
            var hash = r.InfoHash;
            FetchAndAdd(hash, _info.DefaultSavePath, "replication", replica: true).PipeTo(Self, success: o => new ReplicationStarted(hash, o));
        });
        Receive<ReleaseReplica>(r =>
        {
            var hash = r.InfoHash;
            _log.Warning("torrent {0}: {1}; this member releases its copy and deletes its data", hash[..8], r.Why);
            _torrents.Ask(new CatalogMessages.RemoveTorrent(hash, DeleteData: true), _settings.FetchTimeout)
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
        Receive<ReplicationStarted>(s =>
        {
            if (s.Outcome is AddFromClusterFailed f)
            {
                _log.Warning("torrent {0}: cannot add a copy: {1}", s.InfoHash[..8], f.Reason);
            }
            else
            {
                _log.Warning("torrent {0}: copying it to {1} to keep its replication factor", s.InfoHash[..8], _info.DefaultSavePath);
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
        Receive<GetClusterState>(_ => Sender.Tell(State()));
        Receive<SearchMember>(q => _torrents.Ask<CatalogMessages.CatalogHits>(new CatalogMessages.SearchCatalog(q.Words), _settings.FetchTimeout)
            .PipeTo(Sender, success: h => new MemberHits(_cluster.SelfAddress.ToString(), h.Hits)));
        Receive<SearchCluster>(q => Search(q.Words).PipeTo(Sender));
        Receive<SetReplicationFactor>(s =>
        {
            var key = s.InfoHash;
            _replicator.Tell(Dsl.Update(FactorsKey, LWWDictionary<string, int>.Empty, WriteLocal.Instance, d => s.Factor is { } f ? d.SetItem(_selfNode, key, f) : d.Remove(_selfNode, key)));
            Sender.Tell(new ReplicationFactorSet(key, s.Factor ?? _settings.ReplicationFactor));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef torrents, ClusterNodeInfo info, ClusterSettings settings) =>
        Akka.Actor.Props.Create(() => new AvailabilityActor(torrents, info, settings));

    protected override void PreStart()
    {
        _replicator.Tell(Dsl.Subscribe(HoldingsKey, Self));
        _replicator.Tell(Dsl.Subscribe(FactorsKey, Self));
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Context.System.EventStream.Subscribe(Self, typeof(Akka.Remote.ThisActorSystemQuarantinedEvent));
        _replication = Context.ActorOf(ReplicationActor.Props(Self, _settings), "replication");
        Timers.StartPeriodicTimer("publish", new Publish(), _settings.PublishInterval);
        Timers.StartSingleTimer("join-check", new JoinCheck(), _settings.JoinWarningAfter);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    private static string Key(UniqueAddress member) => $"{member.Address}#{member.Uid}";

    private string SelfKey => Key(_cluster.SelfUniqueAddress);

    private void PublishOwn(IReadOnlyList<TorrentStatus> torrents)
    {
        var mine = new MemberHoldings(
            SelfKey,
            _cluster.SelfAddress.ToString(),
            _info.NodeId,
            _info.PeerEndPoint,
            // A magnet still fetching its metadata holds nothing another member could use.
            [.. torrents.Where(t => t.State != TorrentState.Metadata).Select(t => new TorrentHolding(t.InfoHash, t.Name, t.TotalLength, t.PieceCount, t.VerifiedPieces, t.State == TorrentState.Seeding || (t.PieceCount > 0 && t.VerifiedPieces == t.PieceCount), t.IsPrivate, t.IsReplica))],
            FreeSpace(),
            _settings.ProtocolVersion);
        // Gossip only what changed: progress moves in steps of whole pieces, free space in GiB, and an idle node sends nothing.
        if (_published is not null && _published.Torrents.SequenceEqual(mine.Torrents) && _published with { Torrents = mine.Torrents } == mine)
        {
            return;
        }

        _published = mine;
        var key = SelfKey;
        _replicator.Tell(Dsl.Update(HoldingsKey, LWWDictionary<string, MemberHoldings>.Empty, WriteLocal.Instance, d => d.SetItem(_selfNode, key, mine)));
    }

    /// <summary>Free bytes where copies are saved, rounded down to whole GiB (unknown: unlimited).</summary>
    private long FreeSpace()
    {
        try
        {
            var dir = new DirectoryInfo(_info.DefaultSavePath);
            while (dir is { Exists: false })
            {
                dir = dir.Parent;
            }

            return dir is null ? long.MaxValue : new DriveInfo(dir.FullName).AvailableFreeSpace >> 30 << 30;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return long.MaxValue;
        }
    }

    private void Forget(string key, string why)
    {
        if (_holdings.ContainsKey(key))
        {
            _log.Info("dropping the gossip entry of {0}: {1}", key, why);
            _replicator.Tell(Dsl.Update(HoldingsKey, LWWDictionary<string, MemberHoldings>.Empty, WriteLocal.Instance, d => d.Remove(_selfNode, key)));
        }
    }

    private void DropStaleEntries()
    {
        var members = _cluster.State.Members.Select(m => Key(m.UniqueAddress)).ToHashSet(StringComparer.Ordinal);
        var now = DateTime.UtcNow;
        foreach (var key in _holdings.Keys)
        {
            if (members.Contains(key))
            {
                _absentSince.Remove(key);
            }
            else if (!_absentSince.TryGetValue(key, out var since))
            {
                _absentSince[key] = now;
            }
            else if (now - since > StaleAfter)
            {
                _absentSince.Remove(key);
                Forget(key, "not a member any more");
            }
        }
    }

    /// <summary>Every other usable member holding a local torrent becomes a peer of it (dialled like any peer).</summary>
    private void FeedPeers()
    {
        // Public torrents of usable members, one pass: every holder feeds the tracker, the others feed our torrents.
        var usable = UsableMembers();
        var holders = _holdings.Values
            .Where(h => usable.Contains(h.Member) && IPEndPoint.TryParse(h.PeerEndPoint, out _))
            .SelectMany(h => h.Torrents.Where(t => !t.Private).Select(t => (t.InfoHash, t.Complete, h.Member, EndPoint: IPEndPoint.Parse(h.PeerEndPoint))))
            .GroupBy(x => x.InfoHash, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        Context.System.EventStream.Publish(new ClusterPeersChanged(
            holders.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<(IPEndPoint, bool)>)[.. kv.Value.Select(x => (x.EndPoint, x.Complete))], StringComparer.Ordinal)));

        foreach (var local in _published?.Torrents ?? [])
        {
            var others = holders.TryGetValue(local.InfoHash, out var l)
                ? l.Where(x => x.Member != SelfKey).Select(x => x.EndPoint).OrderBy(e => e.ToString(), StringComparer.Ordinal).ToList()
                : [];
            var endpoints = others.Select(e => e.ToString()).ToArray();
            if (_peersSent.TryGetValue(local.InfoHash, out var sent) && sent.SequenceEqual(endpoints))
            {
                continue;
            }

            _peersSent[local.InfoHash] = endpoints;
            if (others.Count > 0)
            {
                _torrents.Tell(new CatalogMessages.ForTorrent(local.InfoHash, new TorrentMessages.AddPeers(others, "cluster")));
            }
        }
    }

    /// <summary>Akka.NET has no join-time configuration check, so the swarm protocol version is compared once a member's
    /// gossip entry arrives. The younger side of a mismatch is the one refused: it leaves (and its host exits instead of
    /// rejoining); the older side leaves it out of the data plane until it is gone.</summary>
    private void CheckProtocolVersions()
    {
        var self = _cluster.SelfMember;
        foreach (var other in _holdings.Values.Where(h => h.ProtocolVersion != _settings.ProtocolVersion && !_incompatibleLogged.Contains(h.Member)))
        {
            var member = _cluster.State.Members.FirstOrDefault(m => Key(m.UniqueAddress) == other.Member);
            if (member is null)
            {
                // Gossip ahead of membership: decide once both are known.
                continue;
            }

            _incompatibleLogged.Add(other.Member);
            if (self.Status == MemberStatus.Up && !member.IsOlderThan(self))
            {
                _log.Error(
                    "member {0} speaks swarm cluster protocol {1}, this node {2}: it is refused and leaves; until it is gone it is left out (no peers from it, its copies do not count). Run one version across the cluster",
                    other.Address,
                    other.ProtocolVersion,
                    _settings.ProtocolVersion);
                continue;
            }

            var reason = $"refused by the cluster: member {other.Address} speaks swarm cluster protocol {other.ProtocolVersion}, this node {_settings.ProtocolVersion}; run one version across the cluster";
            _log.Error("{0}; leaving", reason);
            Context.System.EventStream.Publish(new MembershipRefused(reason));
            _cluster.Leave(_cluster.SelfAddress);
            return;
        }
    }

    /// <summary>Up, reachable, and not gossiping another protocol version.</summary>
    private HashSet<string> UsableMembers()
    {
        var unreachable = _cluster.State.Unreachable.Select(m => Key(m.UniqueAddress)).ToHashSet(StringComparer.Ordinal);
        return _cluster.State.Members
            .Where(m => m.Status == MemberStatus.Up && !unreachable.Contains(Key(m.UniqueAddress)))
            .Where(m => !_holdings.TryGetValue(Key(m.UniqueAddress), out var h) || h.ProtocolVersion == _settings.ProtocolVersion)
            .Select(m => Key(m.UniqueAddress))
            .ToHashSet(StringComparer.Ordinal);
    }

    private void SendView()
    {
        var usable = UsableMembers();
        var members = _cluster.State.Members
            .Select(m => Key(m.UniqueAddress))
            .Select(key => new MemberView(key, usable.Contains(key), _holdings.TryGetValue(key, out var h) ? h : null))
            .ToList();
        _replication.Tell(new ClusterView(SelfKey, members, _factors.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal)));
    }

    private ClusterState State()
    {
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        var members = state.Members.Select(m =>
        {
            var h = _holdings.TryGetValue(Key(m.UniqueAddress), out var held) ? held : null;
            return new MemberState(
                m.Address.ToString(),
                m.Status.ToString().ToLowerInvariant(),
                !unreachable.Contains(m.UniqueAddress),
                m.Address.Equals(state.Leader),
                m.UniqueAddress.Equals(_cluster.SelfUniqueAddress),
                h?.NodeId,
                h?.PeerEndPoint,
                h?.Torrents.Length ?? 0,
                h?.Torrents.Count(t => t.Complete) ?? 0);
        }).ToArray();
        var keys = state.Members.Select(m => Key(m.UniqueAddress)).ToHashSet(StringComparer.Ordinal);
        return new ClusterState(
            _cluster.SelfAddress.ToString(),
            state.Leader?.ToString(),
            members,
            [.. _holdings.Values.Where(h => keys.Contains(h.Member))],
            _factors.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
            _settings.ReplicationFactor);
    }

    /// <summary>Scatter-gather over every usable member (this one included); results ranked by complete copies.</summary>
    private async Task<SearchResults> Search(IReadOnlyList<string> words)
    {
        var system = Context.System;
        var usable = UsableMembers();
        var members = _cluster.State.Members.Where(m => usable.Contains(Key(m.UniqueAddress))).Select(m => m.Address.ToString()).ToList();
        var holdings = _holdings.Values.Where(h => usable.Contains(h.Member)).ToList();
        var answers = await Task.WhenAll(members.Select(async address =>
        {
            try
            {
                return (address, await system.ActorSelection($"{address}/user/node/cluster").Ask<MemberHits>(new SearchMember(words), _settings.FetchTimeout).ConfigureAwait(false));
            }
            catch (AskTimeoutException)
            {
                return (address, (MemberHits?)null);
            }
        })).ConfigureAwait(false);
        var results = answers
            .Where(a => a.Item2 is not null)
            .SelectMany(a => a.Item2!.Hits.Select(h => (a.address, h)))
            .GroupBy(x => x.h.InfoHash, StringComparer.Ordinal)
            .Select(g => new SearchResult(
                g.Key,
                g.First().h.Name,
                g.First().h.Size,
                holdings.Count(h => h.Find(g.Key) is { Complete: true }),
                [.. g.Select(x => x.address).Distinct().Order(StringComparer.Ordinal)]))
            .OrderByDescending(r => r.Copies)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToArray();
        return new SearchResults(results, [.. answers.Where(a => a.Item2 is null).Select(a => a.address)]);
    }

    /// <summary>Fetches the metainfo from a member holding the torrent (complete copies first), checks it against the
    /// info-hash, and adds the torrent here with those members as its first peers.</summary>
    private async Task<object> FetchAndAdd(string infoHash, string savePath, string reason, bool replica)
    {
        // Everything the task needs from the actor is read here, before the first await.
        var system = Context.System;
        var usable = UsableMembers();
        var holders = _holdings.Values
            .Where(h => h.Member != SelfKey && usable.Contains(h.Member) && h.Find(infoHash) is not null)
            .OrderByDescending(h => h.Find(infoHash)!.Complete)
            .ToList();
        if (holders.Count == 0)
        {
            return new AddFromClusterFailed($"no reachable member of the cluster holds {infoHash[..8]}");
        }

        if (holders.Any(h => h.Find(infoHash)!.Private))
        {
            return new AddFromClusterFailed($"{infoHash[..8]} is a private torrent (BEP 27): add its .torrent file; its peers come from its trackers only");
        }

        var peers = holders.Select(h => IPEndPoint.TryParse(h.PeerEndPoint, out var ep) ? ep : null).OfType<IPEndPoint>().ToList();
        var failures = new List<string>();
        foreach (var holder in holders)
        {
            try
            {
                var reply = await system.ActorSelection($"{holder.Address}/user/node/cluster")
                    .Ask(new GetMetainfo(infoHash), _settings.FetchTimeout).ConfigureAwait(false);
                if (reply is not MetainfoFound found)
                {
                    failures.Add($"{holder.Address}: does not have it any more");
                    continue;
                }

                // The hash names the torrent: metainfo that does not hash to it is refused, whoever sent it.
                var meta = MetainfoParser.ParseInfoDictionary(found.InfoDictionary, Protocol.InfoHash.Parse(infoHash)) with { TrackerTiers = found.Trackers };
                var added = await _torrents.Ask(new CatalogMessages.AddTorrent(meta, savePath, new TorrentOptions(Peers: peers, Replica: replica)), _settings.FetchTimeout).ConfigureAwait(false);
                return added is CatalogMessages.TorrentAccepted accepted
                    ? accepted
                    : new AddFromClusterFailed(added is CatalogMessages.AddTorrentRejected r ? r.Reason : $"unexpected answer {added}");
            }
            catch (AskTimeoutException)
            {
                failures.Add($"{holder.Address}: no answer within {_settings.FetchTimeout.TotalSeconds:0} s");
            }
            catch (Exception e) when (e is InvalidTorrentException or FormatException)
            {
                failures.Add($"{holder.Address}: sent unusable metainfo ({e.Message})");
            }
        }

        return new AddFromClusterFailed($"could not get the metainfo of {infoHash[..8]} ({reason}): {string.Join("; ", failures)}");
    }

    private static Dictionary<string, T> View<T>(IEnumerable<KeyValuePair<string, T>> entries) =>
        entries.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private sealed record Publish;

    private sealed record JoinCheck;

    private sealed record LocalTorrents(IReadOnlyList<TorrentStatus>? Torrents);

    private sealed record ReplicationStarted(string InfoHash, object Outcome);

    private sealed record ReplicaReleased(string InfoHash, object Outcome);
}
