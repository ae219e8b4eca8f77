using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using static Swarm.Actors.Persistence.TorrentJournalMessages;

namespace Swarm.Actors.Persistence;

/// <summary>Journals one torrent's state changes. Kept apart from the torrent actor so that a journal outage
/// restarts only this actor (under a backoff supervisor) while the torrent keeps transferring and re-sends
/// what was not confirmed.</summary>
public sealed class TorrentJournalActor : ReceivePersistentActor
{
    private readonly IActorRef _torrent;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private TorrentJournalState _state;

    public TorrentJournalActor(string persistenceId, int pieceCount, IActorRef torrent, int snapshotEvery)
    {
        PersistenceId = persistenceId;
        _torrent = torrent;
        _state = TorrentJournalState.Empty(pieceCount);

        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is TorrentSnapshot s)
            {
                _state = _state.Apply(s);
            }
        });
        Recover<IPersistedEvent>(e => _state = _state.Apply(e));
        Recover<RecoveryCompleted>(_ => _torrent.Tell(new JournalRecovered(_state, LastSequenceNr)));

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

    public static Props Props(string persistenceId, int pieceCount, IActorRef torrent, int snapshotEvery) =>
        Akka.Actor.Props.Create(() => new TorrentJournalActor(persistenceId, pieceCount, torrent, snapshotEvery));

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
