using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using static Swarm.Actors.Persistence.TorrentJournalMessages;

namespace Swarm.Actors.Persistence;

/// <summary>The persistent side of <see cref="TorrentJournalActor"/>: writes one torrent's events, snapshots and prunes.
/// Started with a known history (read in bulk at the node's start) it skips the replay: the plugin then only reads
/// the highest sequence number, so that the rows it writes follow the ones on disk.</summary>
public sealed class TorrentJournalWriter : HandlerPersistentActor
{
    private readonly IActorRef _torrent;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly bool _known;
    private TorrentJournalState _state;

    /// <param name="known">The state the journal holds, when already known: no replay, and no <see cref="JournalRecovered"/>
    /// (the torrent was told). Null: recover from the store and tell the torrent.</param>
    public TorrentJournalWriter(string persistenceId, int pieceCount, IActorRef torrent, int snapshotEvery, TorrentJournalState? known)
    {
        PersistenceId = persistenceId;
        _torrent = torrent;
        _known = known is not null;
        _state = known ?? TorrentJournalState.Empty(pieceCount);

        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is TorrentSnapshot s)
            {
                _state = _state.Apply(s);
            }
        });
        Recover<IPersistedEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ =>
        {
            if (!_known)
            {
                _torrent.Tell(new JournalRecovered(_state, LastSequenceNr));
            }
        });

        Command<WriteJournalEvent>(w => PersistAsync(w.Event, e =>
        {
            _state = _state.Apply(e);
            _torrent.Tell(new JournalEventWritten(w.Id));
            if (TorrentJournalState.SnapshotDue(LastSequenceNr, snapshotEvery))
            {
                SaveSnapshot(_state.ToSnapshot());
            }
        }));
        Command<SaveSnapshotSuccess>(s =>
        {
            // Events up to the snapshot are no longer needed for recovery.
            DeleteMessages(s.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
        });
        Command<SaveSnapshotFailure>(f => _log.Warning("journal {0}: snapshot failed: {1}", PersistenceId, f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("journal {0}: pruning failed: {1}", PersistenceId, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(_ => { });
    }

    public override string PersistenceId { get; }

    /// <summary>With a known state: no snapshot load and no replay (Akka answers <see cref="Recovery.None"/> with the
    /// highest sequence number alone).</summary>
    public override Recovery Recovery => _known ? Recovery.None : base.Recovery;

    public static Props Props(string persistenceId, int pieceCount, IActorRef torrent, int snapshotEvery, TorrentJournalState? known) =>
        DirectProps.Of(() => new TorrentJournalWriter(persistenceId, pieceCount, torrent, snapshotEvery, known));

    // The base implementations log the whole exception chain (pages of driver stack traces); one line says it,
    // and stopping hands the retry to the backoff supervisor.
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        Report($"journal {PersistenceId} cannot be read: {Innermost(reason)}");
        Context.Stop(Self);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        Report($"journal write failed: {Innermost(cause)}");
        Context.Stop(Self);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // The store refused this event (not an outage): the actor lives on; the torrent re-sends later.
        Report($"journal rejected an event: {Innermost(cause)}");
    }

    private static string Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    private void Report(string error)
    {
        _log.Warning("{0}", error);
        _torrent.Tell(new JournalFailed(error));
    }
}
