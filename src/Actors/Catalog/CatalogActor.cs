using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Swarm.Actors.Persistence;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Catalog;

/// <summary>The node's catalog of torrents, event-sourced: after a restart (even kill -9) every torrent comes back
/// with its save path and settings, and each torrent recovers its verified pieces from its own journal.
/// A torrent that throws is restarted on its own; the others and the node are untouched.</summary>
public sealed class CatalogActor : ReceivePersistentActor
{
    private readonly NodeContext _node;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, TorrentAdded> _catalog = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MagnetAdded> _magnets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _fetching = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _torrents = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SearchEntry> _searchIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, (TorrentAdded Entry, IActorRef ReplyTo)> _deleting = [];
    private RateLimitsChanged? _nodeLimits;
    private long _magnetActors;

    public CatalogActor(NodeContext node)
    {
        _node = node;
        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is CatalogSnapshot s)
            {
                _nodeLimits = s.NodeLimits;
                foreach (var t in s.Torrents)
                {
                    _catalog[t.InfoHash] = t;
                }

                foreach (var m in s.Magnets ?? [])
                {
                    _magnets[m.InfoHash] = m;
                }
            }
        });
        Recover<TorrentAdded>(a =>
        {
            _catalog[a.InfoHash] = a;
            _magnets.Remove(a.InfoHash);
        });
        Recover<MagnetAdded>(m => _magnets[m.InfoHash] = m);
        Recover<Persistence.TorrentRemoved>(r =>
        {
            _catalog.Remove(r.InfoHash);
            _magnets.Remove(r.InfoHash);
        });
        Recover<RateLimitsChanged>(ApplyLimits);
        Recover<RecoveryCompleted>(_ =>
        {
            if (_nodeLimits is { } limits)
            {
                _node.Limits.Download.BytesPerSecond = limits.DownloadLimit;
                _node.Limits.Upload.BytesPerSecond = limits.UploadLimit;
            }

            foreach (var entry in _catalog.Values)
            {
                Start(entry, []);
            }

            foreach (var pending in _magnets.Values.ToList())
            {
                StartMagnet(pending);
            }

            if (_catalog.Count + _magnets.Count > 0)
            {
                _log.Warning("recovered {0} torrent(s) and {1} magnet link(s) awaiting metadata from the journal", _catalog.Count, _magnets.Count);
            }
        });

        Command<AddTorrent>(a => OnAdd(a, Sender));
        Command<AddMagnet>(OnAddMagnet);
        Command<MagnetResolved>(r =>
        {
            var hash = r.Add.Metainfo.InfoHash.Hex;
            if (r.Kept && !_magnets.ContainsKey(hash))
            {
                r.ReplyTo.Tell(new AddTorrentRejected($"magnet {hash[..8]} was removed while its metadata was fetched"));
                return;
            }

            OnAdd(r.Add, r.ReplyTo);
        });
        Command<RemoveTorrent>(OnRemove);
        Command<ResolveTorrent>(r => Sender.Tell(Resolve(r.Query)));
        Command<SearchCatalog>(q =>
        {
            var words = q.Words.Select(w => w.ToLowerInvariant()).Where(w => w.Length > 0).ToList();
            Sender.Tell(new CatalogHits(words.Count == 0 ? [] : [.. _searchIndex
                .Where(kv => words.All(w => kv.Value.Text.Any(t => t.Contains(w, StringComparison.Ordinal))))
                .Select(kv => new CatalogHit(kv.Key, kv.Value.Name, kv.Value.Size, kv.Value.Text.Length - 1))]));
        });
        Command<GetInfoDictionary>(g => Sender.Tell(_catalog.TryGetValue(g.InfoHash, out var e)
            ? new InfoDictionary(e.InfoHash, e.InfoDictionary, e.Trackers)
            : new UnknownTorrent(g.InfoHash)));
        Command<SetRateLimits>(OnSetLimits);
        Command<ForTorrent>(f =>
        {
            if (_torrents.TryGetValue(f.InfoHash, out var t))
            {
                t.Forward(f.Message);
            }
            else if (f.Message is TorrentMessages.GetStatus or TorrentMessages.GetDetails && MagnetActorOf(f.InfoHash) is { } magnet)
            {
                // A pending magnet has a status (state metadata) and empty details, nothing else yet.
                magnet.Forward(f.Message);
            }
            else
            {
                Sender.Tell(new UnknownTorrent(f.InfoHash));
            }
        });
        Command<TorrentMessages.IncomingPeer>(p =>
        {
            if (_torrents.TryGetValue(p.Handshake.InfoHash.Hex, out var t))
            {
                t.Tell(p);
            }
            else
            {
                _log.Debug("incoming peer {0} asked for unknown torrent {1}", p.Socket.RemoteEndPoint, p.Handshake.InfoHash.Hex);
                p.Socket.Dispose();
            }
        });
        Command<ListTorrents>(_ =>
        {
            IActorRef[] listed = [.. _torrents.Values, .. _magnets.Keys.Select(MagnetActorOf).OfType<IActorRef>()];
            Context.ActorOf(StatusGatherActor.Props(listed, _node.Settings.Console.CommandTimeout / 2, Sender));
        });
        Command<Terminated>(t =>
        {
            if (_deleting.Remove(t.ActorRef, out var deleting))
            {
                DeleteData(deleting.Entry, deleting.ReplyTo);
            }

            foreach (var key in _torrents.Where(kv => kv.Value.Equals(t.ActorRef)).Select(kv => kv.Key).ToList())
            {
                _torrents.Remove(key);
            }

            foreach (var key in _fetching.Where(kv => kv.Value.Equals(t.ActorRef)).Select(kv => kv.Key).ToList())
            {
                _fetching.Remove(key);
            }
        });
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning("catalog snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
    }

    public override string PersistenceId => $"{_node.NodeId}/torrents";

    public static Props Props(NodeContext node) => Akka.Actor.Props.Create(() => new CatalogActor(node));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(
        10,
        60_000,
        e =>
        {
            _log.Error("a torrent failed and is restarted: {0}: {1}", e.GetType().Name, e.Message);
            return Directive.Restart;
        },
        false);

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error("the torrent catalog cannot be read from the journal: {0}", reason.Message);
        base.OnRecoveryFailure(reason, message);
    }

    private void OnRemove(RemoveTorrent r)
    {
        if (!_catalog.TryGetValue(r.InfoHash, out var entry))
        {
            if (_magnets.ContainsKey(r.InfoHash))
            {
                RemoveMagnet(r.InfoHash, Sender);
                return;
            }

            Sender.Tell(new UnknownTorrent(r.InfoHash));
            return;
        }

        var sender = Sender;
        Persist(new Persistence.TorrentRemoved(r.InfoHash), e =>
        {
            _catalog.Remove(e.InfoHash);
            _names.Remove(e.InfoHash);
            _searchIndex.Remove(e.InfoHash);
            SnapshotNow();
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

            sender.Tell(new CatalogMessages.TorrentRemoved(e.InfoHash));
        });
    }

    private void DeleteData(TorrentAdded entry, IActorRef replyTo)
    {
        var files = _node.Files;
        Task.Run(() =>
        {
            try
            {
                var meta = MetainfoParser.ParseInfoDictionary(entry.InfoDictionary, Protocol.InfoHash.Parse(entry.InfoHash));
                return new CatalogMessages.TorrentRemoved(entry.InfoHash, new Storage.TorrentStorage(meta, entry.SavePath, files).DeleteContent());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidTorrentException)
            {
                return new CatalogMessages.TorrentRemoved(entry.InfoHash, 0, e.Message);
            }
        }).PipeTo(replyTo);
    }

    private object Resolve(string query) =>
        TorrentQuery.Find(_catalog.Keys.Concat(_magnets.Keys).Select(h => (h, NameOf(h))), query, string.Empty, out var error) is { } found
            ? new TorrentResolved(found.InfoHash, found.Name, _magnets.ContainsKey(found.InfoHash))
            : new TorrentNotResolved(error!);

    private string NameOf(string hash) => _names.TryGetValue(hash, out var n) ? n : hash;

    private void OnSetLimits(SetRateLimits s)
    {
        TorrentAdded? entry = null;
        if (s.InfoHash is not null && !_catalog.TryGetValue(s.InfoHash, out entry))
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
        Persist(changed, e =>
        {
            ApplyLimits(e);
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
            if (LastSequenceNr % _node.Settings.Persistence.SnapshotEvery == 0)
            {
                SnapshotNow();
            }

            sender.Tell(new RateLimitsSet(e.InfoHash, e.DownloadLimit, e.UploadLimit));
        });
    }

    private void ApplyLimits(RateLimitsChanged e)
    {
        if (e.InfoHash is null)
        {
            _nodeLimits = e;
        }
        else if (_catalog.TryGetValue(e.InfoHash, out var entry))
        {
            _catalog[e.InfoHash] = entry with { DownloadLimit = e.DownloadLimit, UploadLimit = e.UploadLimit };
        }
    }

    private void OnAdd(AddTorrent a, IActorRef sender)
    {
        var hash = a.Metainfo.InfoHash.Hex;
        if (_catalog.TryGetValue(hash, out var existing))
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

        var added = new TorrentAdded(
            hash,
            Guid.NewGuid().ToString("N"),
            a.Metainfo.InfoBytes,
            a.Metainfo.TrackerTiers.Select(t => t.ToArray()).ToArray(),
            a.SavePath,
            a.Options.Sequential,
            a.Options.SeedOnly)
        {
            Replica = a.Options.Replica,
        };
        Persist(added, e =>
        {
            _catalog[e.InfoHash] = e;
            if (_magnets.Remove(e.InfoHash))
            {
                // Its metadata came, or its .torrent file was added meanwhile: either way the magnet is done.
                StopMagnet(e.InfoHash);
            }

            Start(e, a.Options.Peers ?? []);
            if (LastSequenceNr % _node.Settings.Persistence.SnapshotEvery == 0)
            {
                SnapshotNow();
            }

            _log.Info("torrent {0} ({1}) added, saving to {2}", hash[..8], a.Metainfo.Name, a.SavePath);
            sender.Tell(new TorrentAccepted(hash));
        });
    }

    private void Start(TorrentAdded entry, IReadOnlyList<System.Net.IPEndPoint> peers)
    {
        TorrentMetainfo meta;
        try
        {
            meta = MetainfoParser.ParseInfoDictionary(entry.InfoDictionary, Protocol.InfoHash.Parse(entry.InfoHash)) with
            {
                TrackerTiers = entry.Trackers,
            };
        }
        catch (Exception e) when (e is InvalidTorrentException or FormatException)
        {
            _log.Error("torrent {0} in the journal is unusable: {1}", entry.InfoHash, e.Message);
            return;
        }

        _names[entry.InfoHash] = meta.Name;
        _searchIndex[entry.InfoHash] = new SearchEntry(
            meta.Name,
            meta.TotalLength,
            [meta.Name.ToLowerInvariant(), .. meta.Files.Where(f => !f.IsPadding).Select(f => f.JoinedPath.ToLowerInvariant())]);
        var options = new TorrentOptions(entry.Sequential, entry.SeedOnly, peers, DownloadLimit: entry.DownloadLimit, UploadLimit: entry.UploadLimit, Replica: entry.Replica);
        // The generation in the name lets a torrent removed and added again start while its old actor still stops.
        var actor = Context.ActorOf(
            TorrentActor.Props(meta, entry.SavePath, options, _node, $"{_node.NodeId}/torrent-{entry.InfoHash}-{entry.Generation}"),
            $"torrent-{entry.InfoHash}-{entry.Generation[..8]}");
        Context.Watch(actor);
        _torrents[entry.InfoHash] = actor;
    }

    /// <summary>What search matches: the name and every file path, lower-cased once.</summary>
    private sealed record SearchEntry(string Name, long Size, string[] Text);

    private void OnAddMagnet(AddMagnet m)
    {
        var hash = m.Magnet.InfoHash.Hex;
        if (_catalog.TryGetValue(hash, out var known))
        {
            OnAdd(new AddTorrent(MetainfoParser.ParseInfoDictionary(known.InfoDictionary, m.Magnet.InfoHash), m.SavePath, m.Options), Sender);
            return;
        }

        if (_magnets.TryGetValue(hash, out var pending) && m.Keep && string.Equals(pending.SavePath, m.SavePath, StringComparison.Ordinal))
        {
            Sender.Tell(new MagnetPending(hash, NameOf(hash), pending.SavePath));
            return;
        }

        if (pending is not null || _fetching.ContainsKey(hash))
        {
            Sender.Tell(new AddTorrentRejected($"the metadata of {hash[..8]} is already being fetched{(pending is null ? string.Empty : $", saving to {pending.SavePath}")}"));
            return;
        }

        if (!m.Keep)
        {
            _log.Info("magnet {0}: fetching metadata from peers", hash[..8]);
            Fetch(m.Magnet, m.SavePath, m.Options, Sender, keep: false);
            return;
        }

        var sender = Sender;
        Persist(new MagnetAdded(hash, m.Magnet.ToString(), m.SavePath), e =>
        {
            _magnets[hash] = e;
            StartMagnet(e);
            if (LastSequenceNr % _node.Settings.Persistence.SnapshotEvery == 0)
            {
                SnapshotNow();
            }

            _log.Info("magnet {0} ({1}) added, fetching its metadata; saving to {2}", hash[..8], NameOf(hash), e.SavePath);
            sender.Tell(new MagnetPending(hash, NameOf(hash), e.SavePath));
        });
    }

    /// <summary>Fetches a journaled magnet's metadata until it comes (nobody waits for the answer: the torrent shows up
    /// in the catalog).</summary>
    private void StartMagnet(MagnetAdded entry)
    {
        Protocol.Magnet.MagnetLink link;
        try
        {
            link = Protocol.Magnet.MagnetLink.Parse(entry.Link);
        }
        catch (FormatException e)
        {
            _log.Error("magnet {0} in the journal is unusable: {1}", entry.InfoHash, e.Message);
            return;
        }

        _names[entry.InfoHash] = link.DisplayName ?? entry.InfoHash;
        Fetch(link, entry.SavePath, new TorrentOptions(), ActorRefs.Nobody, keep: true);
    }

    private void Fetch(Protocol.Magnet.MagnetLink link, string savePath, TorrentOptions options, IActorRef requester, bool keep)
    {
        // Numbered: a magnet removed and added again starts while its old actor still stops.
        var actor = Context.ActorOf(
            Magnet.MagnetActor.Props(link, savePath, options, _node, requester, keep),
            $"magnet-{link.InfoHash.Hex}-{++_magnetActors}");
        Context.Watch(actor);
        _fetching[link.InfoHash.Hex] = actor;
    }

    private void StopMagnet(string hash)
    {
        if (_fetching.Remove(hash, out var actor))
        {
            Context.Stop(actor);
        }
    }

    private void RemoveMagnet(string hash, IActorRef replyTo) =>
        Persist(new Persistence.TorrentRemoved(hash), e =>
        {
            _magnets.Remove(e.InfoHash);
            _names.Remove(e.InfoHash);
            StopMagnet(e.InfoHash);
            SnapshotNow();
            _log.Info("magnet {0} removed before its metadata came", e.InfoHash[..8]);
            replyTo.Tell(new CatalogMessages.TorrentRemoved(e.InfoHash));
        });

    private IActorRef? MagnetActorOf(string hash) => _fetching.GetValueOrDefault(hash);

    private void SnapshotNow() => SaveSnapshot(new CatalogSnapshot([.. _catalog.Values]) { NodeLimits = _nodeLimits, Magnets = [.. _magnets.Values] });
}
