using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Clustering;
using Swarm.Actors.Configuration;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

using Swarm.Actors.Catalog;

namespace Swarm.Actors.ConsoleEndpoint;

/// <summary>What the console reports about the node that hosts it, and how it stops the node.</summary>
/// <param name="NodeSystem">The node's actor system (log level, uptime); the endpoint itself runs in its own system.</param>
public sealed record ConsoleNodeInfo(
    string NodeId,
    string PeerEndPoint,
    string DataDir,
    string Journal,
    string DefaultSavePath,
    DateTime StartedAt,
    ActorSystem NodeSystem,
    Action RequestShutdown);

/// <summary>The node's console endpoint (at /user/console in the console actor system): checks the secret of every
/// request, validates it, forwards it to the node's actors and answers with typed replies. Each request runs as its
/// own task, so a slow command never delays another console; every wait is bounded by the command timeout.</summary>
public sealed class ConsoleEndpointActor : ReceiveActor
{
    private const int PieceMapWidth = 64;
    private readonly IActorRef _node;
    private readonly ConsoleNodeInfo _info;
    private readonly byte[] _secret;
    private readonly TimeSpan _timeout;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public ConsoleEndpointActor(IActorRef node, ConsoleNodeInfo info, ConsoleSettings settings, string secret)
    {
        _node = node;
        _info = info;
        _secret = Encoding.UTF8.GetBytes(secret);
        _timeout = settings.CommandTimeout;
        Receive<ConsoleRequest>(r =>
        {
            if (!SecretMatches(r.Secret))
            {
                _log.Warning("console request from {0} refused: {1} secret", Sender.Path.Address, r.Secret.Length == 0 ? "no" : "wrong");
                Sender.Tell(new Refused(r.Secret.Length == 0
                    ? "this node requires a console secret (--secret or SWARM_CONSOLE_SECRET)"
                    : "wrong console secret"));
                return;
            }

            _log.Debug("console: {0}", r.Command);
            Execute(r.Command).PipeTo(Sender, failure: e => new CommandFailed(Describe(e)));
        });
    }

    public static Props Props(IActorRef node, ConsoleNodeInfo info, ConsoleSettings settings, string secret) =>
        Akka.Actor.Props.Create(() => new ConsoleEndpointActor(node, info, settings, secret));

    public static TorrentSummary Summarize(TorrentStatus s) => new(
        s.InfoHash,
        s.Name,
        s.TotalLength,
        s.Progress,
        StateName(s.State),
        s.Error,
        s.DownloadRate,
        s.UploadRate,
        s.Downloaded,
        s.Uploaded,
        s.Peers.Count,
        s.State == TorrentState.Seeding ? 1 : 0,
        s.PieceCount,
        s.VerifiedPieces,
        s.SavePath,
        s.DownloadLimit,
        s.UploadLimit)
    {
        Replica = s.IsReplica,
    };

    public static string StateName(TorrentState state) => state.ToString().ToLowerInvariant();

    /// <summary>One character per slice of the torrent: '#' every piece verified, '+' some, '.' none.</summary>
    public static string PieceMap(byte[] bitfield, int pieceCount, int width)
    {
        if (pieceCount == 0)
        {
            return string.Empty;
        }

        var slots = Math.Min(width, pieceCount);
        var map = new char[slots];
        for (var slot = 0; slot < slots; slot++)
        {
            var first = (int)((long)slot * pieceCount / slots);
            var end = (int)((long)(slot + 1) * pieceCount / slots);
            var have = 0;
            for (var p = first; p < end; p++)
            {
                if ((bitfield[p >> 3] & (0x80 >> (p & 7))) != 0)
                {
                    have++;
                }
            }

            map[slot] = have == end - first ? '#' : have > 0 ? '+' : '.';
        }

        return new string(map);
    }

    private bool SecretMatches(string presented) =>
        _secret.Length == 0 || CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _secret);

    private async Task<IConsoleReply> Execute(IConsoleCommand command)
    {
        switch (command)
        {
            case GetNodeStatus:
                return await NodeStatus().ConfigureAwait(false);
            case ListNodeTorrents:
                {
                    var cluster = await ClusterState().ConfigureAwait(false);
                    return new TorrentListing([.. (await List().ConfigureAwait(false)).Select(t => Summarize(t) with { Replicas = CompleteCopies(cluster, t) })]);
                }

            case GetCluster:
                return await Cluster().ConfigureAwait(false);
            case Search q:
                return await SearchAll(q.Words).ConfigureAwait(false);
            case ListClusterTorrents:
                return await ClusterTorrents().ConfigureAwait(false);
            case Replicas r:
                return await ReplicasOf(r).ConfigureAwait(false);
            case AddTorrentFile a:
                return await Add(a).ConfigureAwait(false);
            case AddByLink l:
                return await AddByLink(l).ConfigureAwait(false);
            case PauseTorrent p:
                return await ChangeState(p.Torrent, new TorrentMessages.Pause("paused from the console"), "paused").ConfigureAwait(false);
            case ResumeTorrent r:
                return await ChangeState(r.Torrent, new TorrentMessages.Resume(), "resumed").ConfigureAwait(false);
            case RecheckTorrent r:
                return await ChangeState(r.Torrent, new TorrentMessages.Recheck(), "re-checking").ConfigureAwait(false);
            case RemoveNodeTorrent r:
                return await Remove(r).ConfigureAwait(false);
            case ShowTorrent s:
                return await Show(s.Torrent).ConfigureAwait(false);
            case ListPeers p:
                {
                    var (hash, name) = await Resolve(p.Torrent).ConfigureAwait(false);
                    var status = await StatusOf(hash).ConfigureAwait(false);
                    return new PeerListing(hash, name, Peers(status));
                }

            case SetLimits l:
                return await Limit(l).ConfigureAwait(false);
            case SetLogLevel l:
                return LogLevel(l.Level);
            case Shutdown:
                _log.Warning("shutdown requested from the console");
                // After the reply has left: the node's stop closes this endpoint too.
                _ = Task.Delay(TimeSpan.FromMilliseconds(200)).ContinueWith(_ => _info.RequestShutdown(), TaskScheduler.Default);
                return new Done("node shutting down", null);
            default:
                return new CommandFailed($"this node does not know the command {command.GetType().Name}");
        }
    }

    private async Task<NodeStatus> NodeStatus()
    {
        var torrents = await List().ConfigureAwait(false);
        var limits = await Ask<CatalogMessages.RateLimitsSet>(new CatalogMessages.SetRateLimits(null, null, null)).ConfigureAwait(false);
        return new NodeStatus(
            _info.NodeId,
            typeof(ConsoleEndpointActor).Assembly.GetName().Version?.ToString(3) ?? "?",
            (DateTime.UtcNow - _info.StartedAt).TotalSeconds,
            _info.PeerEndPoint,
            _info.DataDir,
            _info.Journal,
            await ClusterRole().ConfigureAwait(false),
            torrents.Count,
            torrents.Count(t => t.State is TorrentState.Downloading or TorrentState.Checking or TorrentState.Metadata),
            torrents.Count(t => t.State == TorrentState.Seeding),
            torrents.Count(t => t.State == TorrentState.Paused),
            torrents.Count(t => t.State == TorrentState.Error),
            torrents.Sum(t => t.Peers.Count),
            torrents.Sum(t => t.DownloadRate),
            torrents.Sum(t => t.UploadRate),
            limits.DownloadLimit,
            limits.UploadLimit,
            _info.NodeSystem.EventStream.LogLevel.ToString().Replace("Level", string.Empty, StringComparison.Ordinal).ToLowerInvariant());
    }

    private async Task<string> ClusterRole()
    {
        if (await ClusterState().ConfigureAwait(false) is not { } c)
        {
            return "standalone";
        }

        var self = c.Members.FirstOrDefault(m => m.IsSelf);
        return $"{self?.Status ?? "joining"} member of {c.Members.Length} ({c.Members.Count(m => m.Status == "up")} up){(self?.IsLeader == true ? ", leader" : string.Empty)}; {c.Self}";
    }

    private async Task<IReadOnlyList<TorrentStatus>> List() =>
        (await Ask<CatalogMessages.TorrentList>(new CatalogMessages.ListTorrents()).ConfigureAwait(false)).Torrents;

    private async Task<IConsoleReply> Add(AddTorrentFile a)
    {
        TorrentMetainfo meta;
        try
        {
            meta = MetainfoParser.Parse(a.TorrentFile);
        }
        catch (Exception e) when (e is InvalidTorrentException or FormatException)
        {
            return new CommandFailed($"not a valid torrent: {e.Message}");
        }

        var savePath = a.SavePath ?? _info.DefaultSavePath;
        if (!Path.IsPathFullyQualified(savePath))
        {
            return new CommandFailed($"save folder '{savePath}' is not an absolute path");
        }

        var reply = await _node.Ask(new CatalogMessages.AddTorrent(meta, Path.GetFullPath(savePath), new TorrentOptions()), _timeout).ConfigureAwait(false);
        return await Added(reply, string.Empty, Path.GetFullPath(savePath)).ConfigureAwait(false);
    }

    /// <summary>The answer to an add, whichever way the torrent came (file, magnet, cluster).</summary>
    private async Task<IConsoleReply> Added(object reply, string how, string savePath)
    {
        switch (reply)
        {
            case CatalogMessages.TorrentAccepted accepted:
                var status = await StatusOf(accepted.InfoHash).ConfigureAwait(false);
                return new Done($"added {accepted.InfoHash[..8]} ({status.Name}){how}, saving to {savePath}", Summarize(status));
            case CatalogMessages.MagnetPending pending:
                var fetching = await StatusOf(pending.InfoHash).ConfigureAwait(false);
                return new Done($"added {pending.InfoHash[..8]} ({pending.Name}){how}, saving to {pending.SavePath}; fetching its metadata from peers", Summarize(fetching));
            case CatalogMessages.AddTorrentRejected rejected:
                return new CommandFailed(rejected.Reason);
            case ClusterMessages.AddFromClusterFailed failed:
                return new CommandFailed(failed.Reason);
            default:
                return new CommandFailed($"unexpected answer from the node: {reply}");
        }
    }

    private async Task<IConsoleReply> AddByLink(AddByLink add)
    {
        var link = add.Link;
        if (link.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase))
        {
            MagnetLink magnet;
            try
            {
                magnet = MagnetLink.Parse(link);
            }
            catch (FormatException e)
            {
                return new CommandFailed($"invalid magnet link: {e.Message}");
            }

            // In a cluster, a member holding the torrent gives its metainfo at once (checked against the hash), as for an
            // add by info-hash; the link's peers and trackers are needed only when no member has it.
            var target = add.SavePath ?? _info.DefaultSavePath;
            // A holder too slow to answer in time falls back to the link; should its answer come later, the torrent
            // it adds supersedes the pending magnet.
            object? fromCluster = null;
            try
            {
                fromCluster = await _node.Ask(new ClusterMessages.AddFromCluster(magnet.InfoHash.Hex, target, "magnet link"), _timeout / 2).ConfigureAwait(false);
            }
            catch (AskTimeoutException)
            {
            }

            if (fromCluster is CatalogMessages.TorrentAccepted accepted)
            {
                return await Added(accepted, " from the cluster (magnet link)", target).ConfigureAwait(false);
            }

            // Kept: journaled and listed at once, fetched until the metadata comes or the magnet is removed.
            var answer = await Ask<object>(new CatalogMessages.AddMagnet(magnet, target, new TorrentOptions(), Keep: true)).ConfigureAwait(false);
            return await Added(answer, " from its magnet link", target).ConfigureAwait(false);
        }

        if (!Protocol.InfoHash.TryParse(link, out var hash))
        {
            return new CommandFailed($"'{link}' is not a .torrent file, a magnet link or an info-hash");
        }

        var savePath = add.SavePath ?? _info.DefaultSavePath;
        var reply = await Ask<object>(new ClusterMessages.AddFromCluster(hash.Hex, savePath, "added from the console")).ConfigureAwait(false);
        return reply is ClusterMessages.NotClustered
            ? new CommandFailed($"adding {hash.Hex[..8]} by info-hash alone needs a cluster member holding it; this node is standalone, add the .torrent file")
            : await Added(reply, " from the cluster", savePath).ConfigureAwait(false);
    }

    /// <summary>The cluster as this member sees it; null on a standalone node.</summary>
    private async Task<ClusterMessages.ClusterState?> ClusterState() =>
        await Ask<object>(new ClusterMessages.GetClusterState()).ConfigureAwait(false) as ClusterMessages.ClusterState;

    /// <summary>This node's own copy from its live status (the gossip lags it by up to a publish interval), the other
    /// members' complete copies from the gossip.</summary>
    private static int CompleteCopies(ClusterMessages.ClusterState? cluster, TorrentStatus t)
    {
        var own = t.State == TorrentState.Seeding ? 1 : 0;
        if (cluster is null)
        {
            return own;
        }

        var usable = cluster.UsableAddresses();
        return own + cluster.Holdings.Count(h => h.Address != cluster.Self && usable.Contains(h.Address) && h.Find(t.InfoHash) is { Complete: true });
    }

    /// <summary>The cluster state, for commands that only make sense in a cluster.</summary>
    private async Task<ClusterMessages.ClusterState> Clustered() =>
        await ClusterState().ConfigureAwait(false) ?? throw new ConsoleCommandException("this node is standalone, not a cluster member");

    private async Task<IConsoleReply> Cluster()
    {
        var c = await Clustered().ConfigureAwait(false);
        return new ClusterInfo(c.Self, c.Leader, [.. c.Members.Select(m => new ClusterMember(m.Address, m.Status, m.Reachable, m.IsLeader, m.IsSelf, m.NodeId, m.PeerEndPoint, m.Torrents, m.CompleteTorrents))]);
    }

    private async Task<IConsoleReply> SearchAll(string[] words)
    {
        if (words.Length == 0)
        {
            return new CommandFailed("search needs at least one word");
        }

        var reply = await Ask<object>(new ClusterMessages.SearchCluster(words)).ConfigureAwait(false);
        if (reply is ClusterMessages.SearchResults r)
        {
            return new SearchListing([.. r.Results.Select(h => new SearchHit(h.InfoHash, h.Name, h.Size, h.Copies, h.Members))], r.Unanswered);
        }

        // Standalone: this node's own catalog.
        var hits = await Ask<CatalogMessages.CatalogHits>(new CatalogMessages.SearchCatalog(words)).ConfigureAwait(false);
        var local = (await List().ConfigureAwait(false)).ToDictionary(t => t.InfoHash, StringComparer.Ordinal);
        return new SearchListing(
            [.. hits.Hits.Select(h => new SearchHit(h.InfoHash, h.Name, h.Size, local.TryGetValue(h.InfoHash, out var t) && t.State == TorrentState.Seeding ? 1 : 0, ["this node"])).OrderByDescending(h => h.Copies).ThenBy(h => h.Name, StringComparer.Ordinal)],
            []);
    }

    private async Task<IConsoleReply> ClusterTorrents()
    {
        var c = await Clustered().ConfigureAwait(false);
        var usable = c.UsableAddresses();
        var torrents = c.Holdings
            .SelectMany(h => h.Torrents.Select(t => (Holder: h, Torrent: t)))
            .GroupBy(x => x.Torrent.InfoHash, StringComparer.Ordinal)
            .Select(g =>
            {
                var first = g.First().Torrent;
                return new ClusterTorrent(
                    g.Key,
                    first.Name,
                    first.Size,
                    c.FactorOf(g.Key),
                    g.Count(x => x.Torrent.Complete && usable.Contains(x.Holder.Address)),
                    g.Count(x => !x.Torrent.Complete && usable.Contains(x.Holder.Address)),
                    [.. g.Select(x => x.Holder.Address).Order(StringComparer.Ordinal)]);
            })
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToArray();
        return new ClusterTorrentListing(torrents);
    }

    private async Task<IConsoleReply> ReplicasOf(Replicas r)
    {
        var c = await Clustered().ConfigureAwait(false);
        // Any torrent of the cluster, not only this member's.
        if (TorrentQuery.Find(c.Holdings.SelectMany(h => h.Torrents).Select(t => (t.InfoHash, t.Name)), r.Torrent, " of the cluster", out var error) is not { } found)
        {
            return new CommandFailed(error!);
        }

        var (hash, name) = found;
        if (r.Factor is { } wanted)
        {
            if (wanted is < 0 or > 100)
            {
                return new CommandFailed($"a replication factor is between 1 and 100 (0 = the cluster default), not {wanted}");
            }

            await Ask<ClusterMessages.ReplicationFactorSet>(new ClusterMessages.SetReplicationFactor(hash, wanted == 0 ? null : wanted)).ConfigureAwait(false);
        }

        var usable = c.UsableAddresses();
        var holders = c.Holdings
            .Select(h => (Holder: h, Torrent: h.Find(hash)))
            .Where(x => x.Torrent is not null)
            .Select(x => new ReplicaHolder(
                x.Holder.Address,
                x.Holder.NodeId,
                x.Torrent!.Complete,
                x.Torrent.Pieces == 0 ? 0 : (double)x.Torrent.Verified / x.Torrent.Pieces,
                usable.Contains(x.Holder.Address)))
            .OrderBy(h => h.Address, StringComparer.Ordinal)
            .ToArray();
        var factor = r.Factor is { } set ? (set == 0 ? c.DefaultReplicationFactor : set) : c.FactorOf(hash);
        var isDefault = r.Factor is { } given ? given == 0 : !c.ReplicationFactors.ContainsKey(hash);
        return new ReplicaInfo(hash, name, factor, isDefault, holders.Count(h => h.Complete && h.Usable), holders);
    }

    private async Task<IConsoleReply> ChangeState(string query, object change, string verb)
    {
        var (hash, name) = await Resolve(query).ConfigureAwait(false);
        _node.Tell(new CatalogMessages.ForTorrent(hash, change));
        // The torrent handles messages in order: this status reflects the change.
        var status = await StatusOf(hash).ConfigureAwait(false);
        var summary = Summarize(status);
        var expected = change switch
        {
            TorrentMessages.Pause => status.State == TorrentState.Paused,
            TorrentMessages.Resume => status.State is not (TorrentState.Paused or TorrentState.Error),
            _ => true,
        };
        return expected
            ? new Done($"{verb} {hash[..8]} ({name})", summary)
            : new Done($"{hash[..8]} ({name}) is {summary.State}{(status.Error is null ? string.Empty : $": {status.Error}")}", summary);
    }

    private async Task<IConsoleReply> Remove(RemoveNodeTorrent r)
    {
        var (hash, name) = await Resolve(r.Torrent, awaitingMetadata: true).ConfigureAwait(false);
        try
        {
            var reply = await _node.Ask(new CatalogMessages.RemoveTorrent(hash, r.DeleteData), _timeout).ConfigureAwait(false);
            return reply switch
            {
                CatalogMessages.RemoveTorrentReply { DeleteError: { } error } => new CommandFailed($"removed {hash[..8]} ({name}), but deleting its data failed: {error}"),
                CatalogMessages.RemoveTorrentReply removed => new Done(
                    r.DeleteData ? $"removed {hash[..8]} ({name}) and deleted {removed.FilesDeleted} file(s)" : $"removed {hash[..8]} ({name}); its data is kept",
                    null),
                CatalogMessages.UnknownTorrent => new CommandFailed($"torrent {hash[..8]} was removed meanwhile"),
                _ => new CommandFailed($"unexpected answer from the node: {reply}"),
            };
        }
        catch (AskTimeoutException)
        {
            // The removal is journaled first; only the torrent's stop (and the deletion after it) is late.
            return new CommandFailed($"{hash[..8]} ({name}) is removed, but did not stop within {_timeout.TotalSeconds:0} s{(r.DeleteData ? "; its files are deleted once it stops" : string.Empty)}");
        }
    }

    private async Task<IConsoleReply> Show(string query)
    {
        var (hash, _) = await Resolve(query, awaitingMetadata: true).ConfigureAwait(false);
        var d = await AskTorrent<TorrentDetails>(hash, new TorrentMessages.GetDetails()).ConfigureAwait(false);
        var s = d.Status;
        return new TorrentDetail(
            Summarize(s),
            d.PieceLength,
            s.HashFailures,
            s.JournalError,
            s.TrackerError,
            PieceMap(d.Bitfield, s.PieceCount, PieceMapWidth),
            [.. d.Files.Select(f => new FileSummary(f.Path, f.Length, f.Length == 0 ? 1 : (double)f.Verified / f.Length))],
            [.. d.Trackers.Select(t => new TrackerSummary(t.Url, t.Status, t.Error, t.NextAnnounce))],
            Peers(s));
    }

    private static PeerSummary[] Peers(TorrentStatus s) =>
    [
        .. s.Peers.Select(p => new PeerSummary(
            p.EndPoint,
            p.Client,
            p.Incoming,
            p.DownloadRate,
            p.UploadRate,
            p.Downloaded,
            p.Uploaded,
            p.AmChoking,
            p.PeerChoking,
            p.Interested,
            s.PieceCount == 0 ? 0 : (double)p.Pieces / s.PieceCount)),
    ];

    private async Task<IConsoleReply> Limit(SetLimits l)
    {
        string? hash = null;
        string? name = null;
        if (l.Torrent is not null)
        {
            (hash, name) = await Resolve(l.Torrent).ConfigureAwait(false);
        }

        var set = await Ask<CatalogMessages.RateLimitsSet>(new CatalogMessages.SetRateLimits(hash, l.DownloadLimit, l.UploadLimit)).ConfigureAwait(false);
        return new Limits(hash, name, set.DownloadLimit, set.UploadLimit);
    }

    private IConsoleReply LogLevel(string level)
    {
        var parsed = level.ToLowerInvariant() switch
        {
            "debug" => Akka.Event.LogLevel.DebugLevel,
            "info" => Akka.Event.LogLevel.InfoLevel,
            "warning" or "warn" => Akka.Event.LogLevel.WarningLevel,
            "error" => Akka.Event.LogLevel.ErrorLevel,
            _ => (Akka.Event.LogLevel?)null,
        };
        if (parsed is not { } value)
        {
            return new CommandFailed($"unknown log level '{level}': use debug, info, warning or error");
        }

        _info.NodeSystem.EventStream.SetLogLevel(value);
        _log.Warning("log level set to {0} from the console", level.ToLowerInvariant());
        return new Done($"log level is now {level.ToLowerInvariant()}", null);
    }

    /// <param name="awaitingMetadata">Accept a magnet whose metadata is still being fetched (remove, show); other
    /// commands have nothing to act on yet and say so.</param>
    private async Task<(string Hash, string Name)> Resolve(string query, bool awaitingMetadata = false) =>
        await Ask<object>(new CatalogMessages.ResolveTorrent(query)).ConfigureAwait(false) switch
        {
            CatalogMessages.TorrentResolved { AwaitingMetadata: true } r when !awaitingMetadata =>
                throw new ConsoleCommandException($"{r.InfoHash[..8]} ({r.Name}) is still fetching its metadata: until it comes it can only be shown or removed"),
            CatalogMessages.TorrentResolved r => (r.InfoHash, r.Name),
            CatalogMessages.TorrentNotResolved n => throw new ConsoleCommandException(n.Reason),
            var other => throw new ConsoleCommandException($"unexpected answer from the node: {other}"),
        };

    private Task<TorrentStatus> StatusOf(string hash) => AskTorrent<TorrentStatus>(hash, new TorrentMessages.GetStatus());

    private async Task<T> AskTorrent<T>(string hash, object message)
    {
        var reply = await Ask<object>(new CatalogMessages.ForTorrent(hash, message)).ConfigureAwait(false);
        return reply switch
        {
            T t => t,
            CatalogMessages.UnknownTorrent => throw new ConsoleCommandException($"torrent {hash[..8]} is not running on this node (its entry could not be started; see the node's log)"),
            _ => throw new ConsoleCommandException($"unexpected answer from the node: {reply}"),
        };
    }

    private async Task<T> Ask<T>(object message)
    {
        try
        {
            return await _node.Ask<T>(message, _timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new ConsoleCommandException($"the node did not answer within {_timeout.TotalSeconds:0} s ({message.GetType().Name})");
        }
    }

    private static string Describe(Exception e) => e switch
    {
        ConsoleCommandException c => c.Message,
        AggregateException { InnerException: { } inner } => Describe(inner),
        AskTimeoutException => "the node did not answer in time",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private sealed class ConsoleCommandException(string message) : Exception(message);
}
