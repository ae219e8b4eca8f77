using Akka.Actor;
using static Swarm.Actors.Persistence.TorrentJournalMessages;

namespace Swarm.Actors.Persistence;

/// <summary>Journals one torrent's state changes. Kept apart from the torrent actor so that a journal outage
/// restarts only this actor (under a backoff supervisor) while the torrent keeps transferring and re-sends
/// what was not confirmed.</summary>
/// <remarks>Issue 14: at the node's start the catalog reads every torrent's history at once (<see cref="JournalHandoff"/>);
/// the torrent takes its own and makes this actor only for its first write, handing the history on; a journal handed
/// its history tells the torrent at once and starts its persistent writer only for the first write, so a thousand
/// seeding torrents recover without a query each. Otherwise (a torrent added now, a restart after an
/// outage) the writer starts at once and recovers from the store. The writer stopping (an outage) stops this actor,
/// which hands the retry to the backoff supervisor.</remarks>
public sealed class TorrentJournalActor : HandlerActor
{
    private readonly Props _writerProps;
    private IActorRef? _writer;

    public TorrentJournalActor(string persistenceId, int pieceCount, IActorRef torrent, int snapshotEvery)
    {
        TorrentJournalState? known = null;
        if (JournalHandoff.Get(Context.System).TryTake(persistenceId, out var history))
        {
            known = history.StateFor(pieceCount);
            torrent.Tell(new JournalRecovered(known, history.LastSequenceNr));
        }

        _writerProps = TorrentJournalWriter.Props(persistenceId, pieceCount, torrent, snapshotEvery, known);
        if (known is null)
        {
            Writer();
        }

        Receive<WriteJournalEvent>(w => Writer().Forward(w));
        Receive<Terminated>(_ => Context.Stop(Self));
    }

    public static Props Props(string persistenceId, int pieceCount, IActorRef torrent, int snapshotEvery) =>
        DirectProps.Of(() => new TorrentJournalActor(persistenceId, pieceCount, torrent, snapshotEvery));

    /// <summary>A writer that throws is stopped, never restarted in place: it would come back with the history it was
    /// handed, which may be older than the journal by then. This actor stops with it; the backoff supervisor's restart
    /// reads the history from the store.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => Akka.Actor.SupervisorStrategy.StoppingStrategy;

    private IActorRef Writer() => _writer ??= Context.Watch(Context.ActorOf(_writerProps, "writer"));
}
