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
public sealed partial class TorrentActor : HandlerActor, IWithTimers
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

    /// <summary>The history handed over at start while the journal's actors are not made yet (see <see cref="JournalActor"/>).</summary>
    private (TorrentJournalState State, long LastSequenceNr)? _unstartedJournal;
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
        _storage = new TorrentStorage(meta, savePath, node.Files, node.Settings.Storage.Preallocate);
        _choker = new Choker(node.Settings.Choker);
        _limits = new TransferLimits(options.DownloadLimit, options.UploadLimit, node.Clock);
        _journaled = TorrentJournalState.Empty(meta.PieceCount);
        _reputation = new PeerReputation(node.Settings.Storage.HashFailuresBeforeBan);
        _backlog = new WriteBacklog(node.Settings.Storage.MaxPendingWriteBytes);
        _groups = new PieceGroups(meta.PieceCount, meta.PieceLength, node.Settings.Peer.BlockLength, node.Settings.Picker.SmallPieceGroupBytes, GroupWholeBlocks(meta));
        InitLayerFetch();
        CommonParts();
        Recovering(rehash: options.Recheck, paused: false);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Tag => $"torrent {_meta.InfoHash.Hex[..8]} ({_meta.Name})";

    private DateTimeOffset Now => _node.Clock.GetUtcNow();

    public static Props Props(TorrentMetainfo meta, string savePath, TorrentOptions options, NodeContext node, string journalId) =>
        DirectProps.Of(() => new TorrentActor(meta, savePath, options, node, journalId));

    /// <summary>Per child kind, see <see cref="TorrentChildren.Decide"/>; the torrent itself goes on.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new TorrentSupervisorStrategy((child, e, directive) =>
        _log.Warning("{0}: child {1} failed ({2}: {3}): {4}", Tag, child.Path.Name, e.GetType().Name, e.Message, directive));

    protected override void PreStart()
    {
        _storageActor = Context.Watch(Context.ActorOf(
            StorageActor.Props(_storage, _node.Settings.Storage.CheckParallelism, _node.Buffers, _node.Settings.Storage.FlushedKeptInCache, _node.Settings.Storage.WriteRunBytes), TorrentChildren.Storage));
        if (JournalHandoff.Get(Context.System).TryTake(_journalId, out var history))
        {
            // Issue 14: the history the catalog read in bulk. The journal's actors (two per torrent) are made only for
            // the first write: a recovered seed writes nothing, and a thousand of them recovered with two thousand
            // actors that did nothing but hold memory.
            var state = history.StateFor(_meta.PieceCount);
            _unstartedJournal = (state, history.LastSequenceNr);
            Self.Tell(new JournalRecovered(state, history.LastSequenceNr));
        }
        else
        {
            StartJournal();
        }

        StartLayerFetch();
        // The tick, rechoke and PEX timers run only while networking with work for them (TorrentActor.Lifecycle.cs, Pace).
    }

    /// <summary>The torrent's journal, started at the first write when its history was handed over (see PreStart).</summary>
    private IActorRef JournalActor()
    {
        if (_journal.IsNobody())
        {
            StartJournal();
        }

        return _journal;
    }

    private void StartJournal()
    {
        if (_unstartedJournal is var (state, lastSequenceNr))
        {
            // Nothing was written since the bulk read (there was no journal to write it): what the torrent was handed
            // is what the journal holds, and it need not read the store again.
            JournalHandoff.Get(Context.System).Offer(_journalId, new PrefetchedJournal([state.ToSnapshot()], lastSequenceNr));
            _unstartedJournal = null;
        }

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
    }

    private void Enter(TorrentState shown, string? error, Action behaviour)
    {
        _shown = (shown, error);
        Become(behaviour);
    }

    /// <summary>Registered last in every behaviour: what its own handlers do not take goes to <see cref="Common"/>, then
    /// to the handlers the other parts registered in the constructor (unhandled when none takes it).</summary>
    /// <remarks>Issue 14: every behaviour used to register the ~50 common handlers again, and each switch of behaviour
    /// built them all anew (closures, a match builder, a compiled matcher): three switches per torrent were ≈ 8 % of a
    /// 1,000-torrent recovery, and each torrent kept its set. A type switch costs nothing per torrent.</remarks>
    private void Always() => ReceiveAny(m =>
    {
        if (!Common(m))
        {
            OnReceive(m);
        }
    });

    /// <summary>The handlers of the other parts that every behaviour shares: registered once, as the actor's own.</summary>
    private void CommonParts()
    {
        ReceiveHashes();
        ReceiveSmallPieceReports(); // issue 14: a group's reports of one batch (TorrentActor.Blocks.cs)
        WebSeedReceives(); // issue 17
    }

    /// <summary>What every behaviour handles the same way (its own handlers come first, see <see cref="Always"/>).</summary>
    /// <returns>False when the message is none of these.</returns>
    private bool Common(object message)
    {
        switch (message)
        {
            case JournalRecovered:
                // A journal that restarted after an outage recovers again: our state is newer than its.
                break;
            case JournalEventWritten w:
                OnJournalEventWritten(w);
                break;
            case JournalFailed f:
                _outbox = _outbox.Failed(f.Error);
                break;
            case StorageMessages.Flushed f:
                OnFlushed(f);
                break;
            case JournalFlushTick:
                FlushAndResend();
                break;
            case SyncJournal:
                _syncWaiters.Add(Sender);
                FlushAndResend();
                ReplyIfSynced();
                break;
            case StorageMessages.PieceWritten w:
                RecordWritten(w);
                break;
            case TellWeHave:
                TellNewHaves();
                break;
            case StorageMessages.FilesCreated c:
                // Journaled at once: only files recorded as this torrent's are deleted with its data (issue 13).
                Journal(new TorrentFilesCreated([.. c.Created.Files], [.. c.Created.Folders]));
                break;
            case StorageMessages.StorageFailed f:
                Fail($"disk error: {f.Error}");
                break;
            case AddPeers a:
                AddCandidates(a.Peers, a.Source);
                break;
            case PeersFound p:
                AddCandidates(p.Peers, "a tracker");
                break;
            case AnnounceReported a:
                _lastAnnounce = a;
                break;
            case IncomingPeer p:
                Refuse(p, "torrent not active");
                break;
            case PeerConnected c:
                OnPeerConnected(c);
                break;
            case PeerPieces p:
                OnPeerPieces(p);
                break;
            case PeerHaves h:
                OnPeerHaves(h);
                break;
            case PeerInterest i:
                OnPeerInterest(i);
                break;
            case NeedBlocks n:
                AnswerNeedBlocks(n, pick: false);
                break;
            case BlockArrived b:
                Drop(b); // not downloading: nothing to do with it
                break;
            case BlocksArrived b:
                Drop(b); // issue 14: likewise, a connection's blocks of one batch
                break;
            case ReleaseBlocks r:
                OnReleaseBlocks(r);
                break;
            case PeerStats st:
                OnPeerStats(st);
                break;
            case PeerClosing c:
                OnPeerClosing(c);
                break;
            case PeerListenPort p:
                OnPeerListenPort(p); // issue 15: peer exchange
                break;
            case PexTick:
                SharePex();
                break;
            case PieceHashed h:
                OnPieceHashed(h);
                break;
            case PeerMisbehaved m:
                OnPeerMisbehaved(m);
                break;
            case Terminated t:
                OnTerminated(t);
                break;
            case ProgressAndDialTick or Rechoke:
                break;
            case GetStatus:
                Sender.Tell(Status());
                break;
            case GetDetails:
                Sender.Tell(Details());
                break;
            case SetTorrentRateLimits l:
                _limits.Download.BytesPerSecond = l.DownloadLimit;
                _limits.Upload.BytesPerSecond = l.UploadLimit;
                _log.Info("{0}: limits set to {1} B/s down, {2} B/s up", Tag, l.DownloadLimit, l.UploadLimit);
                Sender.Tell(Status());
                break;
            case Pause or Resume or Recheck:
                // Lifecycle requests a behaviour does not take (pause a paused torrent, resume a downloading one) change nothing.
                break;
            default:
                return false;
        }

        return true;
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
