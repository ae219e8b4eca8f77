using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Swarm.Actors.Persistence;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Catalog;

/// <summary>The node's catalog of torrents, event-sourced: after a restart (even kill -9) every torrent comes back
/// with its save path and settings, and each torrent recovers its verified pieces from its own journal. It runs one
/// child per torrent (and per magnet link awaiting metadata) and routes to them by info-hash; a torrent that keeps
/// failing is shown as failed (<see cref="CatalogSupervisorStrategy"/>), the others and the node are untouched.</summary>
public sealed partial class CatalogActor : HandlerPersistentActor
{
    public const string TorrentPrefix = "torrent-";
    public const string MagnetPrefix = "magnet-";

    private readonly NodeContext _node;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _torrents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _fetching = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TorrentDetails> _failed = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, Exception> _gaveUp = [];
    private readonly Dictionary<IActorRef, (TorrentAdded Entry, IActorRef ReplyTo)> _deleting = [];
    private CatalogState _state = CatalogState.Empty;
    private CatalogIndex _index = CatalogIndex.Empty;
    private PathClaims _claims = PathClaims.Empty;
    private long _deletions;
    private long _magnetActors;

    public CatalogActor(NodeContext node)
    {
        _node = node;
        ReadOwnHistory(); // CatalogActor.Recovery.cs (issue 14)
        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is CatalogSnapshot s)
            {
                _state = CatalogState.From(s);
            }
        });
        Recover<IPersistedEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => OnRecovered());

        Command<AddTorrent>(a => OnAdd(a, Sender));
        Command<AddMagnet>(OnAddMagnet);
        Command<MagnetResolved>(r =>
        {
            var hash = r.Add.Metainfo.InfoHash.Hex;
            if (r.Kept && !_state.Magnets.ContainsKey(hash))
            {
                r.ReplyTo.Tell(new AddTorrentRejected($"magnet {hash[..8]} was removed while its metadata was fetched"));
                return;
            }

            OnAdd(r.Add, r.ReplyTo);
        });
        Command<RemoveTorrent>(OnRemove);
        Command<DataDeletionFinished>(d => _claims = _claims.Release(d.ClaimKey));
        Command<ResolveTorrent>(r => Sender.Tell(Resolve(r.Query)));
        Command<SearchCatalog>(q => Sender.Tell(new CatalogHits(_index.Search(q.Words))));
        Command<GetInfoDictionary>(g => Sender.Tell(_state.Torrents.TryGetValue(g.InfoHash, out var e)
            ? new InfoDictionary(e.InfoHash, e.InfoDictionary, e.Trackers) { PieceLayers = e.PieceLayers }
            : new UnknownTorrent(g.InfoHash)));
        Command<ChangeRateLimits>(OnChangeLimits);
        Command<ForTorrent>(OnForTorrent);
        Command<PieceLayersFetched>(OnPieceLayersFetched); // BEP 52
        Command<TorrentMessages.IncomingPeer>(p =>
        {
            if (_torrents.TryGetValue(p.Handshake.InfoHash.Hex, out var t))
            {
                t.Tell(p);
            }
            else
            {
                _log.Debug("incoming peer {0} asked for unknown torrent {1}", p.Link.Remote, p.Handshake.InfoHash.Hex);
                p.Link.Dispose();
            }
        });
        // MSE (issue 16): an incoming encrypted handshake names its torrent by hash; the listener needs the candidates.
        Command<Peers.Encryption.EncryptionMessages.ListServedTorrents>(_ => Sender.Tell(new Peers.Encryption.EncryptionMessages.ServedTorrents([.. _torrents.Keys.Select(Swarm.Protocol.InfoHash.Parse)])));
        Command<ListTorrents>(_ =>
        {
            IActorRef[] running = [.. _torrents.Values, .. _state.Magnets.Keys.Select(_fetching.GetValueOrDefault).OfType<IActorRef>()];
            Context.ActorOf(StatusGatherActor.Props(running, [.. _failed.Values.Select(d => d.Status)], _node.Settings.Console.CommandTimeout / 2, Sender));
        });
        Command<AwaitWrites>(_ => Sender.Tell(WritesDone.Instance));
        Command<Terminated>(t => OnTerminated(t.ActorRef));
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning("catalog snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
    }

    public override string PersistenceId => $"{_node.NodeId}/torrents";

    public static Props Props(NodeContext node) => Akka.Actor.Props.Create(() => new CatalogActor(node));

    protected override SupervisorStrategy SupervisorStrategy() =>
        new CatalogSupervisorStrategy(_node.Settings.Catalog, _log, (child, cause) => _gaveUp[child] = cause);

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error("the torrent catalog cannot be read from the journal: {0}", reason.Message);
        base.OnRecoveryFailure(reason, message);
    }

    /// <summary>Journals <paramref name="e"/>, applies it with the same <see cref="CatalogState.Apply"/> as recovery,
    /// snapshots when the rule says so, then does what follows from it.</summary>
    private void PersistApplied<TEvent>(TEvent e, Action<TEvent> then)
        where TEvent : IPersistedEvent =>
        Persist(e, persisted =>
        {
            _state = _state.Apply(persisted);
            if (CatalogState.SnapshotDue(persisted, LastSequenceNr, _node.Settings.Persistence.SnapshotEvery))
            {
                SaveSnapshot(_state.ToSnapshot());
            }

            then(persisted);
        });

    private void OnRecovered()
    {
        if (_state.NodeLimits is { } limits)
        {
            _node.Limits.Download.BytesPerSecond = limits.DownloadLimit;
            _node.Limits.Upload.BytesPerSecond = limits.UploadLimit;
        }

        StartRecovered(); // CatalogActor.Recovery.cs (issue 14)
        foreach (var pending in _state.Magnets.Values)
        {
            StartMagnet(pending);
        }

        if (_state.Torrents.Count + _state.Magnets.Count > 0)
        {
            _log.Info("recovered {0} torrent(s) and {1} magnet link(s) awaiting metadata from the journal", _state.Torrents.Count, _state.Magnets.Count);
        }
        Context.Parent.Tell(new CatalogRecovered(_state.Torrents.Count, _state.Magnets.Count));
    }

    private void OnForTorrent(ForTorrent f)
    {
        if (_torrents.TryGetValue(f.InfoHash, out var t))
        {
            t.Forward(f.Message);
        }
        else if (f.Message is TorrentMessages.GetStatus or TorrentMessages.GetDetails && _failed.TryGetValue(f.InfoHash, out var failed))
        {
            Sender.Tell(f.Message is TorrentMessages.GetStatus ? failed.Status : failed);
        }
        else if (f.Message is TorrentMessages.GetStatus or TorrentMessages.GetDetails && _fetching.GetValueOrDefault(f.InfoHash) is { } magnet)
        {
            // A pending magnet has a status (state metadata) and empty details, nothing else yet.
            magnet.Forward(f.Message);
        }
        else
        {
            Sender.Tell(new UnknownTorrent(f.InfoHash));
        }
    }

    private void OnTerminated(IActorRef dead)
    {
        if (_deleting.Remove(dead, out var deleting))
        {
            DeleteData(deleting.Entry, deleting.ReplyTo);
        }

        // Still listed, so not removed: stopped because it kept failing.
        if (_gaveUp.Remove(dead, out var cause) && Forget(_torrents, dead) is { } hash && _state.Torrents.TryGetValue(hash, out var entry))
        {
            _failed[hash] = FailedTorrent.Details(entry, cause, _node.Settings.Catalog);
        }

        Forget(_torrents, dead);
        Forget(_fetching, dead);
    }

    /// <summary>Drops the child's entry; returns the info-hash it ran for, if it was still listed.</summary>
    private static string? Forget(Dictionary<string, IActorRef> children, IActorRef dead)
    {
        var hash = children.FirstOrDefault(kv => kv.Value.Equals(dead)).Key;
        return hash is not null && children.Remove(hash) ? hash : null;
    }

    private void OnRemove(RemoveTorrent r)
    {
        if (!_state.Torrents.TryGetValue(r.InfoHash, out var entry))
        {
            if (_state.Magnets.ContainsKey(r.InfoHash))
            {
                RemoveMagnet(r.InfoHash, Sender);
                return;
            }

            Sender.Tell(new UnknownTorrent(r.InfoHash));
            return;
        }

        if (r.OnlyIfReplica && !entry.Replica)
        {
            Sender.Tell(new RemoveRefused(r.InfoHash, $"torrent {r.InfoHash[..8]} was added to this node by a person, not copied by the cluster: it is not released"));
            return;
        }

        var sender = Sender;
        PersistApplied(new TorrentRemoved(r.InfoHash), e =>
        {
            _index = _index.Without(e.InfoHash);
            // Its paths stay taken until its files are deleted: a torrent added meanwhile must not create them anew.
            _claims = r.DeleteData ? _claims.Transfer(e.InfoHash, DeletionKey(entry)) : _claims.Release(e.InfoHash);
            _failed.Remove(e.InfoHash);
            _log.Info("torrent {0} removed{1}", e.InfoHash[..8], r.DeleteData ? " with its data" : string.Empty);
            if (_torrents.Remove(e.InfoHash, out var t))
            {
                Context.Stop(t);
                if (r.DeleteData)
                {
                    // Files are deleted once the torrent has stopped: nothing writes to them any more.
                    _deleting[t] = (entry, sender);
                    return;
                }
            }
            else if (r.DeleteData)
            {
                DeleteData(entry, sender);
                return;
            }

            sender.Tell(new RemoveTorrentReply(e.InfoHash));
        });
    }

    private object Resolve(string query) =>
        TorrentQuery.Find(_state.Torrents.Keys.Concat(_state.Magnets.Keys).Select(h => (h, _index.NameOf(h))), query, string.Empty, out var error) is { } found
            ? new TorrentResolved(found.InfoHash, found.Name, _state.Magnets.ContainsKey(found.InfoHash))
            : new TorrentNotResolved(error!);

    private void OnChangeLimits(ChangeRateLimits s)
    {
        TorrentAdded? entry = null;
        if (s.InfoHash is not null && !_state.Torrents.TryGetValue(s.InfoHash, out entry))
        {
            Sender.Tell(new UnknownTorrent(s.InfoHash));
            return;
        }

        var (down, up) = entry is not null ? (entry.DownloadLimit, entry.UploadLimit) : (_node.Limits.Download.BytesPerSecond, _node.Limits.Upload.BytesPerSecond);
        var changed = new RateLimitsChanged(s.InfoHash, s.DownloadLimit ?? down, s.UploadLimit ?? up);
        if (s.DownloadLimit is null && s.UploadLimit is null)
        {
            Sender.Tell(new RateLimitsSet(s.InfoHash, changed.DownloadLimit, changed.UploadLimit));
            return;
        }

        var sender = Sender;
        PersistApplied(changed, e =>
        {
            if (e.InfoHash is null)
            {
                _node.Limits.Download.BytesPerSecond = e.DownloadLimit;
                _node.Limits.Upload.BytesPerSecond = e.UploadLimit;
            }
            else if (_torrents.TryGetValue(e.InfoHash, out var t))
            {
                t.Tell(new TorrentMessages.SetTorrentRateLimits(e.DownloadLimit, e.UploadLimit));
            }

            _log.Info("{0} limits: {1} B/s down, {2} B/s up", e.InfoHash is null ? "node" : $"torrent {e.InfoHash[..8]}", e.DownloadLimit, e.UploadLimit);
            sender.Tell(new RateLimitsSet(e.InfoHash, e.DownloadLimit, e.UploadLimit));
        });
    }

    private void OnAdd(AddTorrent a, IActorRef sender)
    {
        var hash = a.Metainfo.InfoHash.Hex;
        if (_state.Torrents.TryGetValue(hash, out var existing))
        {
            // The same torrent again (a restarted `swarm get`/`seed`): resume it where it is.
            if (!string.Equals(existing.SavePath, a.SavePath, StringComparison.Ordinal))
            {
                sender.Tell(new AddTorrentRejected($"torrent {hash} is already on this node, saving to {existing.SavePath}"));
                return;
            }

            if (_torrents.TryGetValue(hash, out var running))
            {
                if (a.Options.Recheck)
                {
                    running.Tell(new TorrentMessages.Recheck());
                }

                if (a.Options.Peers is { Count: > 0 } peers)
                {
                    running.Tell(new TorrentMessages.AddPeers(peers, "command line"));
                }
            }

            sender.Tell(new TorrentAccepted(hash));
            return;
        }

        // Validated and its paths claimed before journaling: an add journaled is an add that was allowed.
        var (refusal, paths) = AddChecks.Check(a, _claims, new AddLimits(_node.Settings.Files), _index.NameOf);
        if (refusal is not null)
        {
            _log.Warning("{0}", refusal);
            sender.Tell(new AddTorrentRejected(refusal));
            return;
        }

        _claims = _claims.Claim(hash, paths);
        if (_state.Magnets.ContainsKey(hash))
        {
            // Its metadata came, or its .torrent file was added meanwhile: either way its fetch is done.
            StopMagnet(hash);
        }

        // Started while its entry is journaled, not after: the torrent's own journal recovery and data check overlap
        // the write. Should the write fail, the catalog stops (as any persistent actor whose journal fails) and takes
        // the torrent with it; the requester hears nothing and no one was told "added".
        var entry = CatalogEntries.From(a);
        StartNew(entry, a.Options.Peers ?? [], a.Metainfo); // CatalogActor.Recovery.cs
        PersistApplied(entry, _ =>
        {
            _log.Info("torrent {0} ({1}) added, saving to {2}", hash[..8], a.Metainfo.Name, a.SavePath);
            sender.Tell(new TorrentAccepted(hash));
        });
    }

    /// <param name="added">The metainfo the entry was just made from, if any. Issue 14 (piece count): parsing the entry
    /// again gave the torrent a second copy of its info dictionary and piece hashes (10 MiB more, kept for the torrent's
    /// life, for 262,144 pieces), beside the adder's.</param>
    private void Start(TorrentAdded entry, IReadOnlyList<System.Net.IPEndPoint> peers, TorrentMetainfo? added = null)
    {
        TorrentMetainfo meta;
        try
        {
            meta = added ?? CatalogEntries.Metainfo(entry);
        }
        catch (Exception e) when (e is InvalidTorrentException or FormatException)
        {
            _log.Error("torrent {0} in the journal is unusable: {1}", entry.InfoHash, e.Message);
            return;
        }

        _index = _index.WithTorrent(meta);
        ClaimRecovered(entry, meta);
        var options = CatalogEntries.Options(entry, peers);
        // The generation in the name lets a torrent removed and added again start while its old actor still stops.
        var actor = Context.ActorOf(
            TorrentActor.Props(meta, entry.SavePath, options, _node, CatalogEntries.JournalId(_node.NodeId, entry)),
            $"{TorrentPrefix}{entry.InfoHash}-{entry.Generation[..8]}");
        Context.Watch(actor);
        _torrents[entry.InfoHash] = actor;
    }

    /// <summary>A torrent from the journal claims its paths as it starts; one journaled before paths were claimed may
    /// overlap another (it still runs, with a warning to move one of them).</summary>
    private void ClaimRecovered(TorrentAdded entry, TorrentMetainfo meta)
    {
        if (_claims.Claims(entry.InfoHash))
        {
            return;
        }

        try
        {
            var paths = PathClaims.PathsOf(meta, entry.SavePath);
            if (_claims.Conflict(entry.InfoHash, paths) is { } conflict)
            {
                _log.Warning("torrent {0} ({1}) shares {2} with torrent {3}: remove one of them, or they overwrite each other's data", entry.InfoHash[..8], meta.Name, conflict.Path, conflict.InfoHash[..Math.Min(8, conflict.InfoHash.Length)]);
            }

            _claims = _claims.Claim(entry.InfoHash, paths);
        }
        catch (Exception e) when (e is InvalidTorrentException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            _log.Warning("torrent {0}: its paths cannot be claimed: {1}", entry.InfoHash[..8], e.Message);
        }
    }

    private static string DeletionKey(TorrentAdded entry) => $"{AddChecks.DeletingPrefix}{entry.InfoHash}-{entry.Generation}";

    /// <summary>Deletes what the removed torrent created (read from its journal) in a child, which frees its paths.</summary>
    private void DeleteData(TorrentAdded entry, IActorRef replyTo) =>
        Context.ActorOf(DataDeletionActor.Props(entry, CatalogEntries.JournalId(_node.NodeId, entry), DeletionKey(entry), _node, replyTo), $"delete-{entry.InfoHash[..8]}-{++_deletions}");
}
