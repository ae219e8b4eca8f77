using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Swarm.Actors.Persistence;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Node.NodeMessages;

namespace Swarm.Actors.Node;

/// <summary>The node's catalog of torrents, event-sourced: after a restart (even kill -9) every torrent comes back
/// with its save path and settings, and each torrent recovers its verified pieces from its own journal.
/// A torrent that throws is restarted on its own; the others and the node are untouched.</summary>
public sealed class TorrentsActor : ReceivePersistentActor
{
    private readonly NodeContext _node;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, TorrentAdded> _catalog = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _torrents = new(StringComparer.Ordinal);

    public TorrentsActor(NodeContext node)
    {
        _node = node;
        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is CatalogSnapshot s)
            {
                foreach (var t in s.Torrents)
                {
                    _catalog[t.InfoHash] = t;
                }
            }
        });
        Recover<TorrentAdded>(a => _catalog[a.InfoHash] = a);
        Recover<Persistence.TorrentRemoved>(r => _catalog.Remove(r.InfoHash));
        Recover<RecoveryCompleted>(_ =>
        {
            foreach (var entry in _catalog.Values)
            {
                Start(entry, []);
            }

            if (_catalog.Count > 0)
            {
                _log.Warning("recovered {0} torrent(s) from the journal", _catalog.Count);
            }
        });

        Command<AddTorrent>(OnAdd);
        Command<RemoveTorrent>(r =>
        {
            if (!_catalog.ContainsKey(r.InfoHash))
            {
                Sender.Tell(new UnknownTorrent(r.InfoHash));
                return;
            }

            var sender = Sender;
            Persist(new Persistence.TorrentRemoved(r.InfoHash), e =>
            {
                _catalog.Remove(e.InfoHash);
                if (_torrents.Remove(e.InfoHash, out var t))
                {
                    Context.Stop(t);
                }

                SnapshotNow();
                sender.Tell(new NodeMessages.TorrentRemoved(e.InfoHash));
            });
        });
        Command<ForTorrent>(f =>
        {
            if (_torrents.TryGetValue(f.InfoHash, out var t))
            {
                t.Forward(f.Message);
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
            var sender = Sender;
            Task.WhenAll(_torrents.Values.Select(t => t.Ask<TorrentStatus>(new TorrentMessages.GetStatus(), TimeSpan.FromSeconds(5))))
                .PipeTo(sender, success: all => new TorrentList(all));
        });
        Command<Terminated>(t =>
        {
            foreach (var key in _torrents.Where(kv => kv.Value.Equals(t.ActorRef)).Select(kv => kv.Key).ToList())
            {
                _torrents.Remove(key);
            }
        });
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning("catalog snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(_ => { });
    }

    public override string PersistenceId => $"{_node.NodeId}/torrents";

    public static Props Props(NodeContext node) => Akka.Actor.Props.Create(() => new TorrentsActor(node));

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

    private void OnAdd(AddTorrent a)
    {
        var hash = a.Metainfo.InfoHash.Hex;
        if (_catalog.TryGetValue(hash, out var existing))
        {
            // The same torrent again (a restarted `swarm get`/`seed`): resume it where it is.
            if (!string.Equals(existing.SavePath, a.SavePath, StringComparison.Ordinal))
            {
                Sender.Tell(new AddTorrentRejected($"torrent {hash} is already on this node, saving to {existing.SavePath}"));
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

            Sender.Tell(new TorrentAccepted(hash));
            return;
        }

        var sender = Sender;
        var added = new TorrentAdded(
            hash,
            Guid.NewGuid().ToString("N"),
            a.Metainfo.InfoBytes,
            a.Metainfo.TrackerTiers.Select(t => t.ToArray()).ToArray(),
            a.SavePath,
            a.Options.Sequential,
            a.Options.SeedOnly);
        Persist(added, e =>
        {
            _catalog[e.InfoHash] = e;
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

        var options = new TorrentOptions(entry.Sequential, entry.SeedOnly, peers);
        var actor = Context.ActorOf(TorrentActor.Props(meta, entry.SavePath, options, _node, $"{_node.NodeId}/torrent-{entry.InfoHash}-{entry.Generation}"), $"torrent-{entry.InfoHash}");
        Context.Watch(actor);
        _torrents[entry.InfoHash] = actor;
    }

    private void SnapshotNow() => SaveSnapshot(new CatalogSnapshot([.. _catalog.Values]));
}
