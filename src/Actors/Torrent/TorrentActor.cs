using System.Net;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Swarm.Actors.Peers;
using Swarm.Actors.Persistence;
using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
using Swarm.Actors.TrackerClient;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.Torrent.TorrentMessages;

namespace Swarm.Actors.Torrent;

/// <summary>One torrent: owns the piece picker and the choker, and supervises its peer connections, the
/// pieces being downloaded, its tracker and its storage. A failing child is stopped; the torrent goes on.</summary>
public sealed class TorrentActor : ReceiveActor, IWithTimers
{
    private readonly TorrentMetainfo _meta;
    private readonly TorrentOptions _options;
    private readonly NodeContext _node;
    private readonly TorrentStorage _storage;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<int, PeerEntry> _peers = [];
    private readonly Dictionary<IActorRef, int> _peerByRef = [];
    private readonly Dictionary<string, Candidate> _candidates = new(StringComparer.Ordinal);
    private readonly Dictionary<int, IActorRef> _pieceActors = [];
    private readonly Dictionary<IActorRef, int> _pieceByRef = [];
    private readonly Dictionary<string, Reputation> _reputation = new(StringComparer.Ordinal);
    private readonly HashSet<string> _banned = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ignored = new(StringComparer.Ordinal);
    private string? _trackerError;
    private TrackerClientActor.Messages.TrackerStatus? _trackerStatus;
    private readonly TransferLimits _limits;
    private readonly Choker _choker;
    private IActorRef _storageActor = ActorRefs.Nobody;
    private IActorRef _tracker = ActorRefs.Nobody;
    private IActorRef _journal = ActorRefs.Nobody;
    private readonly string _journalId;
    private readonly List<int> _unflushed = [];
    private readonly Dictionary<long, (IPersistedEvent Event, DateTime Sent)> _unconfirmed = [];
    private long _nextWrite;
    private bool _flushing;
    private string? _journalError;
    private bool _pauseAfterCheck;
    private string? _pauseAfterCheckReason;
    private int _resumedPieces = -1;
    private bool _recheckRequested;
    private readonly List<IActorRef> _syncWaiters = [];
    private PiecePicker? _picker;
    private TorrentState _state = TorrentState.Checking;
    private string? _error;
    private int _nextPeer;
    private int _pieceSeq;
    private long _closedDownloaded;
    private readonly Dictionary<int, (long Down, long Up)> _countedAtClose = [];
    private long _closedUploaded;
    private int _hashFailures;
    private long _pendingWriteBytes;
    private readonly HashSet<int> _starved = [];

    public TorrentActor(TorrentMetainfo meta, string savePath, TorrentOptions options, NodeContext node, string journalId)
    {
        _journalId = journalId;
        _recheckRequested = options.Recheck;
        _meta = meta;
        _options = options;
        _node = node;
        _storage = new TorrentStorage(meta, savePath, node.Files);
        _choker = new Choker(node.Settings.Choker);
        _limits = new TransferLimits(options.DownloadLimit, options.UploadLimit);

        Receive<TorrentJournalActor.Messages.Recovered>(OnRecovered);
        Receive<TorrentJournalActor.Messages.Written>(w =>
        {
            _unconfirmed.Remove(w.Id);
            _journalError = null;
            ReplyIfSynced();
        });
        Receive<TorrentJournalActor.Messages.Failed>(f =>
        {
            _journalError = f.Error;
            if (_state == TorrentState.Checking && _picker is null)
            {
                Fail(f.Error); // unreadable history: this torrent stops, the others recover
            }
        });
        Receive<StorageMessages.Flushed>(OnFlushed);
        Receive<FlushTick>(_ => OnFlushTick());
        Receive<StorageMessages.CheckCompleted>(OnChecked);
        Receive<StorageMessages.PieceWritten>(OnPieceWritten);
        Receive<StorageMessages.StorageFailed>(f => Fail($"disk error: {f.Error}"));
        Receive<AddPeers>(a => AddCandidates(a.Peers));
        Receive<TrackerClientActor.Messages.PeersFound>(p => AddCandidates(p.Peers));
        Receive<TrackerClientActor.Messages.TrackerStatus>(t =>
        {
            _trackerError = t.Error;
            _trackerStatus = t;
        });
        Receive<IncomingPeer>(OnIncoming);
        Receive<PeerConnected>(OnPeerConnected);
        Receive<PeerPieces>(OnPeerPieces);
        Receive<PeerHave>(OnPeerHave);
        Receive<PeerInterest>(OnPeerInterest);
        Receive<NeedBlocks>(OnNeedBlocks);
        Receive<BlockArrived>(OnBlockArrived);
        Receive<ReleaseBlocks>(r =>
        {
            foreach (var b in r.Blocks)
            {
                _picker?.Release(r.Peer, b.Piece, b.Begin);
            }
        });
        Receive<PeerStats>(OnPeerStats);
        Receive<PeerClosing>(c =>
        {
            if (c.Permanent && _peers.TryGetValue(c.Peer, out var p) && p.CandidateKey is { } key)
            {
                _candidates.Remove(key);
                _ignored.Add(key);
            }
        });
        Receive<PieceActor.Messages.PieceHashed>(OnPieceHashed);
        Receive<Terminated>(OnTerminated);
        Receive<TorrentMessages.Tick>(_ => OnTick());
        Receive<Rechoke>(r => DoRechoke(r.RotateOptimistic));
        Receive<GetStatus>(_ => Sender.Tell(Status()));
        Receive<GetDetails>(_ => Sender.Tell(Details()));
        Receive<SetRateLimits>(l =>
        {
            _limits.Download.BytesPerSecond = l.DownloadLimit;
            _limits.Upload.BytesPerSecond = l.UploadLimit;
            _log.Info("{0}: limits set to {1} B/s down, {2} B/s up", Tag, l.DownloadLimit, l.UploadLimit);
            Sender.Tell(Status());
        });
        Receive<SyncJournal>(_ =>
        {
            _syncWaiters.Add(Sender);
            OnFlushTick();
            ReplyIfSynced();
        });
        Receive<Pause>(p => DoPause(p.Reason));
        Receive<Resume>(_ => DoResume());
        Receive<Recheck>(_ => DoRecheck());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Tag => $"torrent {_meta.InfoHash.Hex[..8]} ({_meta.Name})";

    public static Props Props(TorrentMetainfo meta, string savePath, TorrentOptions options, NodeContext node, string journalId) =>
        Akka.Actor.Props.Create(() => new TorrentActor(meta, savePath, options, node, journalId));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(
        -1,
        -1,
        e =>
        {
            // A peer that breaks the protocol (or trips a bug) loses its own connection only.
            _log.Warning("{0}: child failed and is stopped: {1}: {2}", Tag, e.GetType().Name, e.Message);
            return Directive.Stop;
        },
        false);

    protected override void PreStart()
    {
        _storageActor = Context.Watch(Context.ActorOf(StorageActor.Props(_storage, _node.Settings.Storage.CheckParallelism, _node.Buffers), "storage"));
        var persistence = _node.Settings.Persistence;
        // A journal outage stops only the journal actor; the backoff supervisor brings it back and we re-send
        // whatever it did not confirm.
        _journal = Context.ActorOf(
            BackoffSupervisor.Props(Backoff.OnStop(
                TorrentJournalActor.Props(_journalId, _meta.PieceCount, Self, persistence.SnapshotEvery),
                "journal",
                persistence.RestartMinBackoff,
                persistence.RestartMaxBackoff,
                0.2,
                -1)),
            "journal-supervisor");
        Timers.StartPeriodicTimer("tick", new TorrentMessages.Tick(), _node.Settings.StatsInterval);
        Timers.StartPeriodicTimer("rechoke", new Rechoke(false), _node.Settings.Choker.RechokeInterval);
        Timers.StartPeriodicTimer("optimistic", new Rechoke(true), _node.Settings.Choker.OptimisticInterval);
        Publish();
    }

    private void OnRecovered(TorrentJournalActor.Messages.Recovered r)
    {
        if (_picker is not null)
        {
            return; // the journal restarted after an outage; our state is newer than its
        }

        if (r.LastSequenceNr == 0 || _recheckRequested)
        {
            _recheckRequested = false;
            _storageActor.Tell(new StorageMessages.PrepareAndCheck(CreateFiles: !_options.SeedOnly));
            return;
        }

        _pauseAfterCheck = r.Paused;
        _pauseAfterCheckReason = r.PauseReason;
        _storageActor.Tell(new StorageMessages.QuickCheck(r.Verified, CreateFiles: !_options.SeedOnly));
    }

    private void OnChecked(StorageMessages.CheckCompleted c)
    {
        if (c.FromJournal && _recheckRequested)
        {
            // A full re-check was asked for while the journal's quick check ran: hash everything instead.
            _recheckRequested = false;
            _storageActor.Tell(new StorageMessages.PrepareAndCheck(CreateFiles: !_options.SeedOnly));
            return;
        }

        if (c.FromJournal)
        {
            _resumedPieces = c.Verified.Count;
            _log.Warning("{0}: resumed {1}/{2} verified pieces from the journal (files checked, not re-hashed)", Tag, c.Verified.Count, _meta.PieceCount);
            if (c.MissingFiles is { Count: > 0 } missing)
            {
                _log.Warning("{0}: {1} file(s) vanished or shrank since last run, {2} piece(s) will be fetched again: {3}", Tag, missing.Count, c.BadPieces.Count, string.Join(", ", missing.Take(10)));
            }
        }
        else
        {
            _log.Info("{0}: checked {1}/{2} pieces present in {3:F1}s", Tag, c.Verified.Count, _meta.PieceCount, c.Elapsed.TotalSeconds);
            if (!(_options.SeedOnly && c.BadPieces.Count > 0))
            {
                // Hashed in full: this replaces what the journal knew, and the next start trusts it.
                Journal(new PiecesRechecked([.. c.Verified.Indices()]));
            }
        }

        if (_options.SeedOnly && c.BadPieces.Count > 0)
        {
            var files = c.BadPieces.SelectMany(_storage.FilesOf).Distinct().Take(10);
            Fail($"data does not match the torrent: {c.BadPieces.Count} of {_meta.PieceCount} pieces are bad, in {string.Join(", ", files)}");
            return;
        }

        _picker = new PiecePicker(_meta.PieceCount, _meta.PieceSize, _node.Settings.Peer.BlockLength, _node.Settings.Picker, c.Verified, _options.Sequential);
        if (_pauseAfterCheck)
        {
            _state = TorrentState.Paused;
            _error = _pauseAfterCheckReason;
            Publish();
            return;
        }

        _state = c.Verified.IsComplete ? TorrentState.Seeding : TorrentState.Downloading;
        Publish();
        if (_state == TorrentState.Seeding)
        {
            Context.System.EventStream.Publish(new TorrentCompleted(_meta.InfoHash.Hex));
        }

        StartNetworking();
    }

    private void StartNetworking()
    {
        if (_meta.TrackerTiers.Count > 0 && _tracker.IsNobody())
        {
            _tracker = Context.Watch(Context.ActorOf(TrackerClientActor.Props(_meta.InfoHash, _meta.TrackerTiers, _node), "tracker"));
            SendTrackerProgress();
        }

        AddCandidates(_options.Peers ?? []);
    }

    private bool Active => _state is TorrentState.Downloading or TorrentState.Seeding;

    private void AddCandidates(IEnumerable<IPEndPoint> endpoints)
    {
        foreach (var ep in endpoints)
        {
            var key = ep.ToString();
            if (!_candidates.ContainsKey(key) && !_banned.Contains(key) && !_ignored.Contains(key))
            {
                _candidates[key] = new Candidate(ep);
            }
        }

        ConnectMore();
    }

    private void ConnectMore()
    {
        if (!Active || _picker is null)
        {
            return;
        }

        var now = DateTime.UtcNow;
        foreach (var c in _candidates.Values.Where(c => !c.Connected && c.NotBefore <= now).OrderBy(c => c.Attempts).ToList())
        {
            if (_peers.Count >= _node.Settings.Peer.MaxConnectionsPerTorrent)
            {
                return;
            }

            if (_state == TorrentState.Seeding && c.KnownSeed)
            {
                continue;
            }

            if (!_node.Connections.TryBeginConnect())
            {
                return;
            }

            if (!_node.Connections.TryOpen())
            {
                _node.Connections.EndConnect();
                return;
            }

            c.Connected = true;
            c.Attempts++;
            Spawn(c.EndPoint, null, null, c.Key);
        }
    }

    private void Spawn(IPEndPoint endpoint, System.Net.Sockets.Socket? socket, Handshake? handshake, string? candidateKey)
    {
        var key = ++_nextPeer;
        var args = new PeerConnectionArgs(key, endpoint, _meta, _storage, _picker!.Have.Clone(), _node, _limits, socket, handshake);
        var actor = Context.ActorOf(PeerConnectionActor.Props(args), $"peer-{key}");
        Context.Watch(actor);
        _peers[key] = new PeerEntry(key, actor, endpoint, candidateKey, new PieceSet(_meta.PieceCount));
        _peerByRef[actor] = key;
    }

    private void OnIncoming(IncomingPeer p)
    {
        var ep = (IPEndPoint)p.Socket.RemoteEndPoint!;
        var refuse = !Active || _picker is null ? "torrent not active"
            : _peers.Count >= _node.Settings.Peer.MaxConnectionsPerTorrent ? "torrent connection limit"
            : _banned.Contains(Convert.ToHexStringLower(p.Handshake.PeerId)) ? "banned peer"
            : !_node.Connections.TryOpen() ? "node connection limit"
            : null;
        if (refuse is not null)
        {
            _log.Debug("{0}: refused incoming {1}: {2}", Tag, ep, refuse);
            p.Socket.Dispose();
            return;
        }

        Spawn(ep, p.Socket, p.Handshake, null);
    }

    private void OnPeerConnected(PeerConnected c)
    {
        if (!_peers.TryGetValue(c.Peer, out var entry))
        {
            return;
        }

        entry.PeerId = c.PeerIdHex;
        entry.Client = c.Client;
        entry.Incoming = c.Incoming;
        entry.Connected = true;
        if (_banned.Contains(c.PeerIdHex))
        {
            entry.Ref.Tell(new Disconnect("banned"));
            return;
        }

        if (_peers.Values.Any(p => p != entry && p.Connected && p.PeerId == c.PeerIdHex))
        {
            entry.Ref.Tell(new Disconnect("already connected to this peer"));
            return;
        }

        if (entry.CandidateKey is { } k && _candidates.TryGetValue(k, out var cand))
        {
            cand.Attempts = 0;
        }
    }

    private void OnPeerPieces(PeerPieces p)
    {
        if (_peers.TryGetValue(p.Peer, out var entry))
        {
            _picker?.PeerGone(entry.Has);
            entry.Has = p.Pieces;
            _picker?.PeerHasAll(p.Pieces);
            if (entry.CandidateKey is { } k && _candidates.TryGetValue(k, out var cand))
            {
                cand.KnownSeed = p.Pieces.IsComplete;
            }
        }
    }

    private void OnPeerHave(PeerHave h)
    {
        if (_peers.TryGetValue(h.Peer, out var entry) && entry.Has.Add(h.Piece))
        {
            _picker?.PeerHas(h.Piece);
        }
    }

    private void OnPeerInterest(PeerInterest i)
    {
        if (!_peers.TryGetValue(i.Peer, out var entry))
        {
            return;
        }

        entry.Interested = i.Interested;
        // Don't make a newcomer wait for the next rechoke when a slot is free.
        if (i.Interested && !entry.Unchoked && Active && _peers.Values.Count(p => p.Unchoked) < _choker.TotalSlots)
        {
            entry.Unchoked = true;
            entry.Ref.Tell(new SetChoke(false));
        }
    }

    private void OnNeedBlocks(NeedBlocks n)
    {
        IReadOnlyList<BlockRef> blocks = [];
        if (_pendingWriteBytes >= _node.Settings.Storage.MaxPendingWriteBytes)
        {
            // The disk is behind (dirty-page throttling): request nothing new until writes catch up,
            // so verified pieces don't pile up in memory.
            _starved.Add(n.Peer);
        }
        else if (_state == TorrentState.Downloading && _picker is not null && _peers.TryGetValue(n.Peer, out var entry))
        {
            blocks = _picker.Pick(n.Peer, entry.Has, n.Count);
        }

        Sender.Tell(new AssignBlocks(blocks));
    }

    private void OnBlockArrived(BlockArrived b)
    {
        if (_picker is null || _state != TorrentState.Downloading)
        {
            return;
        }

        var others = _picker.BlockReceived(b.Piece, b.Begin, b.Peer, out _);
        if (others is null)
        {
            return; // a duplicate from endgame, or a block we no longer need
        }

        if (!_pieceActors.TryGetValue(b.Piece, out var piece))
        {
            piece = Context.ActorOf(
                PieceActor.Props(b.Piece, _meta.PieceSize(b.Piece), _meta.PieceHash(b.Piece).ToArray(), _node.Settings.Peer.BlockLength, _storageActor, Self, _node.Buffers, _meta.PieceLength),
                $"piece-{b.Piece}-{++_pieceSeq}");
            Context.Watch(piece);
            _pieceActors[b.Piece] = piece;
            _pieceByRef[piece] = b.Piece;
        }

        piece.Tell(new PieceActor.Messages.Block(b.Peer, b.Begin, b.Data));
        if (others.Count > 0)
        {
            var cancel = new CancelBlocks([new BlockRef(b.Piece, b.Begin, b.Data.Length)]);
            foreach (var o in others)
            {
                if (_peers.TryGetValue(o, out var other))
                {
                    other.Ref.Tell(cancel);
                }
            }
        }
    }

    private void OnPieceHashed(PieceActor.Messages.PieceHashed h)
    {
        if (_pieceActors.Remove(h.Piece, out var actor))
        {
            _pieceByRef.Remove(actor);
        }

        var record = h.Contributors
            .Select(p => _peers.TryGetValue(p, out var e) ? e : null)
            .OfType<PeerEntry>()
            .Select(e => (Entry: e, Record: _reputation.TryGetValue(e.EndPoint.ToString(), out var r) ? r : _reputation[e.EndPoint.ToString()] = new Reputation()))
            .ToList();
        if (h.Valid)
        {
            _pendingWriteBytes += _meta.PieceSize(h.Piece);
            foreach (var (_, rep) in record)
            {
                rep.Passed++;
            }

            return; // verified once storage confirms the write
        }

        _hashFailures++;
        _picker?.PieceFailed(h.Piece);
        _log.Warning("{0}: piece {1} failed its hash check (blocks from {2} peer(s))", Tag, h.Piece, h.Contributors.Count);
        foreach (var (entry, rep) in record)
        {
            rep.Failed++;
            if (record.Count == 1)
            {
                rep.FailedAlone++;
            }

            // Without per-block hashes (v1) a shared bad piece can't name its culprit: a peer is banned when it alone
            // sent bad pieces, or when it took part in bad pieces and never in a good one.
            var threshold = _node.Settings.Storage.HashFailuresBeforeBan;
            if (rep.FailedAlone >= threshold || (rep.Failed >= threshold && rep.Passed == 0))
            {
                Ban(entry, $"banned after {rep.Failed} pieces that failed the hash check");
            }
        }
    }

    private void Ban(PeerEntry entry, string reason)
    {
        var ep = entry.EndPoint.ToString();
        _log.Warning("{0}: banning peer {1} ({2}): {3}", Tag, ep, entry.Client, reason);
        _banned.Add(ep);
        if (entry.PeerId is { } id)
        {
            _banned.Add(id);
        }

        _candidates.Remove(ep);
        entry.Banned = true;
        entry.Ref.Tell(new Disconnect(reason));
    }

    private void OnPieceWritten(StorageMessages.PieceWritten w)
    {
        _pendingWriteBytes -= _meta.PieceSize(w.Piece);
        if (_starved.Count > 0 && _pendingWriteBytes < _node.Settings.Storage.MaxPendingWriteBytes / 2)
        {
            foreach (var peer in _starved)
            {
                if (_peers.TryGetValue(peer, out var p))
                {
                    p.Ref.Tell(BlocksAvailable.Instance);
                }
            }

            _starved.Clear();
        }

        if (_picker is null || _picker.Have[w.Piece])
        {
            return;
        }

        Apply(new PiecesVerified([w.Piece]));
        _unflushed.Add(w.Piece);
        ScheduleFlush();
        if (_unflushed.Count >= _node.Settings.Persistence.FlushMaxPieces)
        {
            OnFlushTick();
        }

        var have = new WeHave(w.Piece);
        foreach (var p in _peers.Values)
        {
            p.Ref.Tell(have);
        }

        if (_picker.Have.IsComplete)
        {
            _state = TorrentState.Seeding;
            _log.Info("{0}: download complete", Tag);
            Publish();
            Context.System.EventStream.Publish(new TorrentCompleted(_meta.InfoHash.Hex));
            SendTrackerProgress();
            _tracker.Tell(new TrackerClientActor.Messages.AnnounceNow(Protocol.Trackers.AnnounceEvent.Completed));
        }
    }

    /// <summary>Written pieces are flushed to disk, then journaled, in batches: one fsync and one journal row per
    /// batch keeps the journal off the download's critical path, and a piece is never journaled before its data is durable.</summary>
    private void OnFlushTick()
    {
        if (_unflushed.Count > 0 && !_flushing)
        {
            _flushing = true;
            var batch = _unflushed.ToList();
            _unflushed.Clear();
            if (_node.Settings.Persistence.Fsync)
            {
                _storageActor.Tell(new StorageMessages.Flush(batch));
            }
            else
            {
                Self.Tell(new StorageMessages.Flushed(batch));
            }
        }

        // Anything the journal has not confirmed (it was down or restarting) is sent again; events are idempotent.
        var stale = DateTime.UtcNow - _node.Settings.Persistence.ResendAfter;
        foreach (var (id, (e, sent)) in _unconfirmed.Where(kv => kv.Value.Sent < stale).ToList())
        {
            _unconfirmed[id] = (e, DateTime.UtcNow);
            _journal.Tell(new TorrentJournalActor.Messages.Write(id, e));
        }

        if (_unflushed.Count > 0 || _unconfirmed.Count > 0)
        {
            ScheduleFlush();
        }
    }

    /// <summary>The flush tick runs only while pieces wait to be flushed or events to be confirmed: a thousand idle
    /// torrents would otherwise wake four thousand times a second for nothing.</summary>
    private void ScheduleFlush()
    {
        if (!Timers.IsTimerActive("flush"))
        {
            Timers.StartSingleTimer("flush", FlushTick.Instance, _node.Settings.Persistence.FlushInterval);
        }
    }

    private void OnFlushed(StorageMessages.Flushed f)
    {
        _flushing = false;
        Journal(new PiecesVerified([.. f.Pieces]));
    }

    private void ReplyIfSynced()
    {
        if (_syncWaiters.Count > 0 && _unflushed.Count == 0 && !_flushing && _unconfirmed.Count == 0)
        {
            foreach (var w in _syncWaiters)
            {
                w.Tell(new JournalSynced(0));
            }

            _syncWaiters.Clear();
        }
    }

    private void Journal(IPersistedEvent e)
    {
        var id = ++_nextWrite;
        _unconfirmed[id] = (e, DateTime.UtcNow);
        _journal.Tell(new TorrentJournalActor.Messages.Write(id, e));
        ScheduleFlush();
    }

    /// <summary>The single place torrent state changes; the persistence layer journals these events.</summary>
    private void Apply(IPersistedEvent e)
    {
        switch (e)
        {
            case PiecesVerified v:
                foreach (var piece in v.Pieces)
                {
                    _picker!.PieceVerified(piece);
                }

                break;
            case TorrentPaused p:
                _state = TorrentState.Paused;
                _error = p.Reason;
                break;
            case TorrentResumed:
                _error = null;
                _state = TorrentState.Checking;
                break;
        }
    }

    private void OnPeerStats(PeerStats s)
    {
        if (_peers.TryGetValue(s.Peer, out var p))
        {
            p.Stats = s;
        }
        else if (_countedAtClose.Remove(s.Peer, out var counted))
        {
            // A connection's last counts, sent as it stopped, may arrive after its Terminated.
            _closedDownloaded += Math.Max(0, s.Downloaded - counted.Down);
            _closedUploaded += Math.Max(0, s.Uploaded - counted.Up);
        }
    }

    private void OnTerminated(Terminated t)
    {
        if (_peerByRef.Remove(t.ActorRef, out var key) && _peers.Remove(key, out var entry))
        {
            _picker?.ReleaseAll(key);
            _picker?.PeerGone(entry.Has);
            _closedDownloaded += entry.Stats?.Downloaded ?? 0;
            _closedUploaded += entry.Stats?.Uploaded ?? 0;
            if (entry.Connected)
            {
                _countedAtClose[key] = (entry.Stats?.Downloaded ?? 0, entry.Stats?.Uploaded ?? 0);
            }
            if (entry.CandidateKey is { } k && _candidates.TryGetValue(k, out var c))
            {
                c.Connected = false;
                // Back off 1, 2, 4 … seconds up to retry-failed-after, so a seeder that starts late is found soon.
                var backoff = TimeSpan.FromSeconds(Math.Min(_node.Settings.Peer.RetryFailedAfter.TotalSeconds, Math.Pow(2, Math.Min(c.Attempts, 10))));
                c.NotBefore = DateTime.UtcNow + backoff;
            }

            if (entry.Unchoked)
            {
                DoRechoke(false);
            }

            ConnectMore();
        }
        else if (_pieceByRef.Remove(t.ActorRef, out var piece))
        {
            // A piece actor that died before reporting: its blocks are wanted again.
            _pieceActors.Remove(piece);
            _picker?.PieceFailed(piece);
        }
        else if (t.ActorRef.Equals(_storageActor))
        {
            Fail("storage stopped unexpectedly");
        }
        else if (t.ActorRef.Equals(_tracker))
        {
            _tracker = ActorRefs.Nobody;
            if (Active)
            {
                StartNetworking();
            }
        }
    }

    private void OnTick()
    {
        SendTrackerProgress();
        ConnectMore();
    }

    private void SendTrackerProgress()
    {
        if (!_tracker.IsNobody())
        {
            var (down, up) = Totals();
            var left = _picker is null ? _meta.TotalLength : _meta.TotalLength - _picker.Have.Indices().Sum(i => (long)_meta.PieceSize(i));
            _tracker.Tell(new TrackerClientActor.Messages.Progress(up, down, left));
        }
    }

    private (long Down, long Up) Totals() =>
        (_closedDownloaded + _peers.Values.Sum(p => p.Stats?.Downloaded ?? 0), _closedUploaded + _peers.Values.Sum(p => p.Stats?.Uploaded ?? 0));

    private void DoRechoke(bool rotate)
    {
        if (!Active)
        {
            return;
        }

        var candidates = _peers.Values.Where(p => p.Connected)
            .Select(p => new ChokeCandidate(p.Key, p.Interested, p.Has.IsComplete, p.Stats?.DownloadRate ?? 0, p.Stats?.UploadRate ?? 0))
            .ToList();
        var unchoke = _choker.Rechoke(candidates, _state == TorrentState.Seeding, rotate);
        foreach (var p in _peers.Values.Where(p => p.Connected))
        {
            var open = unchoke.Contains(p.Key);
            if (open != p.Unchoked)
            {
                p.Unchoked = open;
                p.Ref.Tell(new SetChoke(!open));
            }
        }
    }

    private void DoPause(string? reason)
    {
        if (_state is TorrentState.Paused or TorrentState.Error)
        {
            return;
        }

        var paused = new TorrentPaused(reason);
        Apply(paused);
        Journal(paused);
        StopNetworking();
        if (_picker is null)
        {
            // Paused while checking: the check finishes, then the torrent stays paused.
            _pauseAfterCheck = true;
            _pauseAfterCheckReason = reason;
        }

        Publish();
    }

    private void DoResume()
    {
        if (_state is not (TorrentState.Paused or TorrentState.Error))
        {
            return;
        }

        var resumed = new TorrentResumed();
        Apply(resumed);
        Journal(resumed);
        if (_picker is null)
        {
            // Paused while checking (the check goes on, then networking starts), or failed before any piece was
            // known (a mismatch or disk error during the check): check again.
            if (!_pauseAfterCheck)
            {
                _storageActor.Tell(new StorageMessages.PrepareAndCheck(CreateFiles: !_options.SeedOnly));
            }

            _pauseAfterCheck = false;
            Publish();
            return;
        }

        _state = _picker.Have.IsComplete ? TorrentState.Seeding : TorrentState.Downloading;
        Publish();
        StartNetworking();
    }

    private void DoRecheck()
    {
        if (_picker is null)
        {
            _recheckRequested = true; // still recovering: OnRecovered will hash in full
            return;
        }

        _log.Warning("{0}: full re-check requested", Tag);
        // A paused torrent stays paused after its check.
        _pauseAfterCheck = _state == TorrentState.Paused;
        _pauseAfterCheckReason = _error;
        StopNetworking();
        foreach (var piece in _pieceActors.Values)
        {
            Context.Unwatch(piece);
            Context.Stop(piece);
        }

        _pieceActors.Clear();
        _pieceByRef.Clear();
        _unflushed.Clear();
        _picker = null;
        _state = TorrentState.Checking;
        Publish();
        _storageActor.Tell(new StorageMessages.PrepareAndCheck(CreateFiles: !_options.SeedOnly));
    }

    private void StopNetworking()
    {
        foreach (var p in _peers.Values)
        {
            Context.Stop(p.Ref);
        }

        if (!_tracker.IsNobody())
        {
            Context.Unwatch(_tracker);
            Context.Stop(_tracker);
            _tracker = ActorRefs.Nobody;
        }
    }

    private void Fail(string error)
    {
        _log.Error("{0}: {1}", Tag, error);
        _state = TorrentState.Error;
        _error = error;
        StopNetworking();
        Publish();
    }

    private void Publish() => Context.System.EventStream.Publish(new TorrentStateChanged(_meta.InfoHash.Hex, _state, _error));

    private TorrentStatus Status()
    {
        var (down, up) = Totals();
        // A banned peer is being disconnected: it is no longer one of ours, even before its actor has stopped.
        var peers = _peers.Values.Where(p => p.Connected && !p.Banned).Select(p => new PeerStatus(
            p.EndPoint.ToString(),
            p.Client ?? "?",
            p.Incoming,
            p.Stats?.DownloadRate ?? 0,
            p.Stats?.UploadRate ?? 0,
            p.Stats?.Downloaded ?? 0,
            p.Stats?.Uploaded ?? 0,
            !p.Unchoked,
            p.Stats?.PeerChoking ?? true,
            p.Interested,
            p.Has.Count)).ToList();
        return new TorrentStatus(
            _meta.InfoHash.Hex,
            _meta.Name,
            _state,
            _error,
            _storage.ContentPath,
            _meta.TotalLength,
            _meta.PieceCount,
            _picker?.Have.Count ?? 0,
            down,
            up,
            peers.Sum(p => p.DownloadRate),
            peers.Sum(p => p.UploadRate),
            _hashFailures,
            peers)
        {
            JournalError = _journalError,
            TrackerError = _trackerError,
            ResumedPieces = _resumedPieces < 0 ? null : _resumedPieces,
            DownloadLimit = _limits.Download.BytesPerSecond,
            UploadLimit = _limits.Upload.BytesPerSecond,
            IsPrivate = _meta.IsPrivate,
            IsReplica = _options.Replica,
        };
    }

    private TorrentDetails Details()
    {
        var have = _picker?.Have ?? new PieceSet(_meta.PieceCount);
        var files = _meta.Files.Where(f => !f.IsPadding).Select(f =>
        {
            long verified = 0;
            if (f.Length > 0)
            {
                var first = (int)(f.Offset / _meta.PieceLength);
                var last = (int)((f.Offset + f.Length - 1) / _meta.PieceLength);
                for (var piece = first; piece <= last; piece++)
                {
                    if (have[piece])
                    {
                        var start = Math.Max(f.Offset, (long)piece * _meta.PieceLength);
                        var end = Math.Min(f.Offset + f.Length, ((long)piece * _meta.PieceLength) + _meta.PieceSize(piece));
                        verified += end - start;
                    }
                }
            }

            return new FileProgress(f.JoinedPath, f.Length, verified);
        }).ToArray();
        var trackers = _meta.Trackers.Select(url => _trackerStatus switch
        {
            { Url: { } ok } when ok == url => new TrackerProgress(url, "working", null, _trackerStatus.NextAnnounce),
            { Error: { } error } => new TrackerProgress(url, "failing", error, _trackerStatus.NextAnnounce),
            _ => new TrackerProgress(url, "standby", null, null),
        }).ToArray();
        return new TorrentDetails(Status(), _meta.PieceLength, have.ToBytes(), files, trackers);
    }

    private sealed class PeerEntry(int key, IActorRef actor, IPEndPoint endpoint, string? candidateKey, PieceSet has)
    {
        public int Key { get; } = key;

        public IActorRef Ref { get; } = actor;

        public IPEndPoint EndPoint { get; } = endpoint;

        public string? CandidateKey { get; } = candidateKey;

        public PieceSet Has { get; set; } = has;

        public bool Connected { get; set; }

        public bool Banned { get; set; }

        public bool Incoming { get; set; }

        public bool Interested { get; set; }

        public bool Unchoked { get; set; }

        public string? PeerId { get; set; }

        public string? Client { get; set; }

        public PeerStats? Stats { get; set; }
    }

    private sealed record FlushTick
    {
        public static FlushTick Instance { get; } = new();
    }

    /// <summary>How the pieces a peer (by endpoint) took part in fared.</summary>
    private sealed class Reputation
    {
        public int Passed { get; set; }

        public int Failed { get; set; }

        public int FailedAlone { get; set; }
    }

    private sealed class Candidate(IPEndPoint endpoint)
    {
        public IPEndPoint EndPoint { get; } = endpoint;

        public string Key { get; } = endpoint.ToString();

        public bool Connected { get; set; }

        public bool KnownSeed { get; set; }

        public int Attempts { get; set; }

        public DateTime NotBefore { get; set; }
    }
}
