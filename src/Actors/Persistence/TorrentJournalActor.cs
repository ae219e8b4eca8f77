using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Swarm.Actors.Pieces;

namespace Swarm.Actors.Persistence;

/// <summary>Journals one torrent's state changes. Kept apart from the torrent actor so that a journal outage
/// restarts only this actor (under a backoff supervisor) while the torrent keeps transferring and re-sends
/// what was not confirmed.</summary>
public sealed class TorrentJournalActor : ReceivePersistentActor
{
    private readonly IActorRef _torrent;
    private readonly int _snapshotEvery;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private PieceSet _verified;
    private bool _paused;
    private string? _pauseReason;

    public TorrentJournalActor(string persistenceId, int pieceCount, IActorRef torrent, int snapshotEvery)
    {
        PersistenceId = persistenceId;
        _torrent = torrent;
        _snapshotEvery = snapshotEvery;
        _verified = new PieceSet(pieceCount);

        Recover<SnapshotOffer>(o =>
        {
            if (o.Snapshot is TorrentSnapshot s && s.PieceCount == pieceCount)
            {
                _verified = PieceSet.FromBytes(s.Verified, pieceCount);
                _paused = s.Paused;
                _pauseReason = s.PauseReason;
            }
        });
        Recover<IPersistedEvent>(Apply);
        Recover<RecoveryCompleted>(_ =>
            _torrent.Tell(new Messages.Recovered(_verified.Clone(), _paused, _pauseReason, LastSequenceNr)));

        Command<Messages.Write>(w => PersistAsync(w.Event, e =>
        {
            Apply(e);
            _torrent.Tell(new Messages.Written(w.Id));
            if (LastSequenceNr % _snapshotEvery == 0)
            {
                SaveSnapshot(new TorrentSnapshot(pieceCount, _verified.ToBytes(), _paused, _pauseReason));
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
        _torrent.Tell(new Messages.Failed(error));
    }

    private void Apply(IPersistedEvent e)
    {
        switch (e)
        {
            case PiecesVerified v:
                foreach (var p in v.Pieces)
                {
                    if (p >= 0 && p < _verified.Length)
                    {
                        _verified.Add(p);
                    }
                }

                break;
            case PiecesRechecked r:
                _verified = new PieceSet(_verified.Length);
                foreach (var p in r.Verified.Where(p => p >= 0 && p < _verified.Length))
                {
                    _verified.Add(p);
                }

                break;
            case TorrentPaused p:
                _paused = true;
                _pauseReason = p.Reason;
                break;
            case TorrentResumed:
                _paused = false;
                _pauseReason = null;
                break;
        }
    }

    public static class Messages
    {
        /// <param name="LastSequenceNr">0 for a torrent that has never journaled anything.</param>
        public sealed record Recovered(PieceSet Verified, bool Paused, string? PauseReason, long LastSequenceNr);

        /// <summary>Journal <paramref name="Event"/>; answered with <see cref="Written"/> carrying the same id.</summary>
        public sealed record Write(long Id, IPersistedEvent Event);

        public sealed record Written(long Id);

        /// <summary>The journal is down or unreadable; the torrent shows this until a write succeeds again.</summary>
        public sealed record Failed(string Error);
    }
}
