using Akka.Persistence.Sql.Journal;

namespace Swarm.Actors.Persistence;

/// <summary>Akka.Persistence.Sql's journal, answering the highest sequence number of a persistence id from what a bulk
/// read found (<see cref="JournalHandoff.OfferHighest"/>) instead of asking the store (issue 14): the catalog reads its
/// own history in plain SQL as it starts, yet Akka's recovery still asked the plugin for its highest sequence number,
/// and linq2db built that first query (≈ 0.5 s of CPU) on the path of every start, before the catalog took any command.
/// Everything else is the plugin's.</summary>
/// <remarks>Only what was offered is answered, once: the first catalog of this actor system, which read its rows before
/// anything of this process could write more (a restarted instance is offered nothing and asks the store, which waits
/// for its predecessor's writes still landing).</remarks>
public sealed class SwarmSqlWriteJournal(Akka.Configuration.Config journalConfig) : SqlWriteJournal(journalConfig)
{
    private readonly JournalHandoff _handoff = JournalHandoff.Get(Context.System);

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken) =>
        _handoff.TryTakeHighest(persistenceId, out var highest)
            ? Task.FromResult(highest)
            : base.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);
}
