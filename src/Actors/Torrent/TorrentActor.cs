using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Swarm.Actors.Peers;
using Swarm.Actors.Persistence;
using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.Persistence.TorrentJournalMessages;
using static Swarm.Actors.Torrent.PieceMessages;
using static Swarm.Actors.Torrent.TorrentMessages;
using static Swarm.Actors.TrackerClient.TrackerClientMessages;

namespace Swarm.Actors.Torrent;

/// <summary>One torrent: receives what its children report, asks its pure parts (picker, choker, candidates,
/// reputation, journal outbox, write backlog) what follows, and acts. Its lifecycle is a set of behaviours
/// (TorrentActor.Lifecycle.cs); peer and piece traffic is in TorrentActor.Peers.cs, journaling in TorrentActor.Journal.cs.</summary>
public sealed partial class TorrentActor : ReceiveActor, IWithTimers
{
    private TorrentMetainfo _meta; // gains the v2 piece layers fetched from peers (TorrentActor.Hashes.cs)
    private readonly TorrentOptions _options;
    private readonly NodeContext _node;
    private readonly TorrentStorage _storage;
    private readonly string _journalId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TransferLimits _limits;
    private readonly Choker _choker;
    private readonly PeerRegistry _peers = new();
    private readonly Dictionary<int, IActorRef> _pieceActors = [];
    private readonly Dictionary<IActorRef, int> _pieceByRef = [];

    /// <summary>Pieces smaller than a block: one actor per group (TorrentActor.Peers.cs).</summary>
    private readonly PieceGroups _groups;
    private readonly Dictionary<int, IActorRef> _groupActors = [];
    private readonly Dictionary<IActorRef, int> _groupByRef = [];

    /// <summary>Hashed valid, not yet written: done for a group opened again (only kept for grouped pieces).</summary>
    private readonly HashSet<int> _awaitingWrite = [];

    /// <summary>Verified since the connections were last told (issue 14: they hear of them together, TellWeHave).</summary>
    private readonly List<int> _newHaves = [];
    private readonly List<IActorRef> _syncWaiters = [];
    private IActorRef _storageActor = ActorRefs.Nobody;
    private IActorRef _journal = ActorRefs.Nobody;
    private IActorRef _tracker = ActorRefs.Nobody;

    /// <summary>What the journal holds once every event sent so far is confirmed.</summary>
    private TorrentJournalState _journaled;
    private JournalOutbox _outbox = JournalOutbox.Empty;
    private PeerCandidates _candidates = PeerCandidates.Empty;
    private PeerReputation _reputation;
    private TransferTotals _totals = TransferTotals.Empty;
    private WriteBacklog _backlog;

    /// <summary>Exists once the data is checked (dropped for a re-check): the working set of pieces we have.</summary>
    private PiecePicker? _picker;
    private AnnounceReported? _lastAnnounce;
    private int? _resumedPieces;
    private int _pieceActorsStarted;
    private int _trackersStarted;

    /// <summary>The state and error status shows; set by each behaviour as it is entered.</summary>
    private (TorrentState State, string? Error) _shown = (TorrentState.Checking, null);

    public TorrentActor(TorrentMetainfo meta, string savePath, TorrentOptions options, NodeContext node, string journalId)
    {
        _meta = meta;
        _options = options;
        _node = node;
        _journalId = journalId;
        _storage = new TorrentStorage(meta, savePath, node.Files);
        _choker = new Choker(node.Settings.Choker);
        _limits = new TransferLimits(options.DownloadLimit, options.UploadLimit, node.Clock);
        _journaled = TorrentJournalState.Empty(meta.PieceCount);
        _reputation = new PeerReputation(node.Settings.Storage.HashFailuresBeforeBan);
        _backlog = new WriteBacklog(node.Settings.Storage.MaxPendingWriteBytes);
        _groups = new PieceGroups(meta.PieceCount, meta.PieceLength, node.Settings.Peer.BlockLength, node.Settings.Picker.SmallPieceGroupBytes);
        InitLayerFetch();
        Recovering(rehash: options.Recheck, paused: false);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Tag => $"torrent {_meta.InfoHash.Hex[..8]} ({_meta.Name})";

    private DateTimeOffset Now => _node.Clock.GetUtcNow();

    public static Props Props(TorrentMetainfo meta, string savePath, TorrentOptions options, NodeContext node, string journalId) =>
        Akka.Actor.Props.Create(() => new TorrentActor(meta, savePath, options, node, journalId));

    /// <summary>Per child kind, see <see cref="TorrentChildren.Decide"/>; the torrent itself goes on.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new TorrentSupervisorStrategy((child, e, directive) =>
        _log.Warning("{0}: child {1} failed ({2}: {3}): {4}", Tag, child.Path.Name, e.GetType().Name, e.Message, directive));

    protected override void PreStart()
    {
        _storageActor = Context.Watch(Context.ActorOf(
            StorageActor.Props(_storage, _node.Settings.Storage.CheckParallelism, _node.Buffers, _node.Settings.Storage.FlushedKeptInCache), TorrentChildren.Storage));
        var persistence = _node.Settings.Persistence;
        // A journal outage stops only the journal actor; the backoff supervisor brings it back and we re-send
        // whatever it did not confirm.
        _journal = Context.ActorOf(
            BackoffSupervisor.Props(Backoff.OnStop(
                TorrentJournalActor.Props(_journalId, _meta.PieceCount, Self, persistence.SnapshotEvery),
                TorrentChildren.Journal,
                persistence.RestartMinBackoff,
                persistence.RestartMaxBackoff,
                persistence.RestartRandomFactor,
                -1)),
            TorrentChildren.JournalSupervisor);
        StartLayerFetch();
        // The tick, rechoke and PEX timers run only while networking with work for them (TorrentActor.Lifecycle.cs, Pace).
    }

    private void Enter(TorrentState shown, string? error, Action behaviour)
    {
        _shown = (shown, error);
        Become(behaviour);
    }

    /// <summary>What every behaviour handles the same way. Registered last, so a behaviour's own handlers come first.</summary>
    private void Always()
    {
        // A journal that restarted after an outage recovers again: our state is newer than its.
        Receive<JournalRecovered>(_ => { });
        Receive<JournalEventWritten>(OnJournalEventWritten);
        Receive<JournalFailed>(f => _outbox = _outbox.Failed(f.Error));
        Receive<StorageMessages.Flushed>(OnFlushed);
        Receive<JournalFlushTick>(_ => FlushAndResend());
        Receive<SyncJournal>(_ =>
        {
            _syncWaiters.Add(Sender);
            FlushAndResend();
            ReplyIfSynced();
        });
        Receive<StorageMessages.PieceWritten>(w => RecordWritten(w));
        Receive<TellWeHave>(_ => TellNewHaves());
        // Journaled at once: only files recorded as this torrent's are deleted with its data (issue 13).
        Receive<StorageMessages.FilesCreated>(c => Journal(new TorrentFilesCreated([.. c.Created.Files], [.. c.Created.Folders])));
        Receive<StorageMessages.StorageFailed>(f => Fail($"disk error: {f.Error}"));
        Receive<AddPeers>(a => AddCandidates(a.Peers, a.Source));
        Receive<PeersFound>(p => AddCandidates(p.Peers, "a tracker"));
        Receive<AnnounceReported>(a => _lastAnnounce = a);
        Receive<IncomingPeer>(p => Refuse(p, "torrent not active"));
        Receive<PeerConnected>(OnPeerConnected);
        ReceiveHashes();
        Receive<PeerPieces>(OnPeerPieces);
        Receive<PeerHave>(OnPeerHave);
        Receive<PeerInterest>(i => OnPeerInterest(i));
        Receive<NeedBlocks>(n => AnswerNeedBlocks(n, pick: false));
        Receive<BlockArrived>(Drop); // not downloading: nothing to do with it
        Receive<BlocksArrived>(Drop); // issue 14: likewise, a connection's blocks of one batch
        Receive<ReleaseBlocks>(OnReleaseBlocks);
        Receive<PeerStats>(OnPeerStats);
        Receive<PeerClosing>(OnPeerClosing);
        Receive<PeerListenPort>(OnPeerListenPort); // issue 15: peer exchange
        Receive<PexTick>(_ => SharePex());
        Receive<PieceHashed>(OnPieceHashed);
        ReceiveSmallPieceReports(); // issue 14: a group's reports of one batch (TorrentActor.Blocks.cs)
        Receive<PeerMisbehaved>(OnPeerMisbehaved);
        Receive<Terminated>(t => OnTerminated(t));
        Receive<ProgressAndDialTick>(_ => { });
        Receive<Rechoke>(_ => { });
        Receive<GetStatus>(_ => Sender.Tell(Status()));
        Receive<GetDetails>(_ => Sender.Tell(Details()));
        Receive<SetTorrentRateLimits>(l =>
        {
            _limits.Download.BytesPerSecond = l.DownloadLimit;
            _limits.Upload.BytesPerSecond = l.UploadLimit;
            _log.Info("{0}: limits set to {1} B/s down, {2} B/s up", Tag, l.DownloadLimit, l.UploadLimit);
            Sender.Tell(Status());
        });
        // Lifecycle requests a behaviour does not take (pause a paused torrent, resume a downloading one) change nothing.
        Receive<Pause>(_ => { });
        Receive<Resume>(_ => { });
        Receive<Recheck>(_ => { });
        WebSeedReceives(); // issue 17
    }

    private (long Downloaded, long Uploaded) Totals() =>
        _totals.With(_peers.All.Select(p => (p.Stats?.Downloaded ?? 0, p.Stats?.Uploaded ?? 0)).Concat(WebSeedTotals()));

    private TorrentStatus Status()
    {
        var (down, up) = Totals();
        var peers = TorrentStatusProjection.Peers(_peers.All);
        return new TorrentStatus(
            _meta.InfoHash.Hex,
            _meta.Name,
            _shown.State,
            _shown.Error,
            _storage.ContentPath,
            _meta.TotalLength,
            _meta.PieceCount,
            _picker?.Have.Count ?? 0,
            down,
            up,
            peers.Sum(p => p.DownloadRate),
            peers.Sum(p => p.UploadRate),
            _reputation.HashFailures,
            peers)
        {
            JournalError = _outbox.Error,
            JournalPending = _outbox.Pending,
            JournalWaitSeconds = _outbox.OldestWait(Now).TotalSeconds,
            TrackerError = _lastAnnounce?.Error,
            ResumedPieces = _resumedPieces,
            DownloadLimit = _limits.Download.BytesPerSecond,
            UploadLimit = _limits.Upload.BytesPerSecond,
            IsPrivate = _meta.IsPrivate,
            IsReplica = _options.Replica,
            InfoHashV2 = _meta.V2?.InfoHash.Hex,
            BannedPeers = _reputation.BannedPeers,
            WebSeeds = _webSeeds.Statuses(), // issue 17
        };
    }

    private TorrentDetails Details()
    {
        var have = _picker?.Have ?? new PieceSet(_meta.PieceCount);
        return new TorrentDetails(
            Status(),
            _meta.PieceLength,
            have.ToBytes(),
            TorrentStatusProjection.Files(_meta, have),
            TorrentStatusProjection.Trackers(_meta.Trackers, _lastAnnounce));
    }
}
