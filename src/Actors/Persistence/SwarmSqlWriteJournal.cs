using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Sql.Journal;

namespace Swarm.Actors.Persistence;

/// <summary>Akka.Persistence.Sql's journal, answering the highest sequence number of a persistence id from what a bulk
/// read found (<see cref="JournalHandoff.OfferHighest"/>) instead of asking the store (issue 14): the catalog reads its
/// own history in plain SQL as it starts, yet Akka's recovery still asked the plugin for its highest sequence number,
/// and linq2db built that first query (≈ 0.5 s of CPU) on the path of every start, before the catalog took any command.
/// On SQLite with the default tables its rows are written in plain SQL (<see cref="SqliteJournalRows"/>); everything
/// else is the plugin's.</summary>
/// <remarks>Only what was offered is answered, once: the first catalog of this actor system, which read its rows before
/// anything of this process could write more (a restarted instance is offered nothing and asks the store, which waits
/// for its predecessor's writes still landing).</remarks>
public sealed class SwarmSqlWriteJournal : SqlWriteJournal
{
    private readonly JournalHandoff _handoff = JournalHandoff.Get(Context.System);
    private readonly SqliteJournalRows? _rows;

    /// <summary>The last plain write of each persistence id still running: a highest-sequence-number read waits for it,
    /// as the plugin's waits for its own writes.</summary>
    private readonly Dictionary<string, Task> _writing = new(StringComparer.Ordinal);

    /// <summary>Plain writes run one after another, in the order the journal took them (the plugin's write queue keeps
    /// that order too).</summary>
    private Task _tail = Task.CompletedTask;

    /// <summary>True while the plugin's store (linq2db, its write queue) is not made yet: see <see cref="PreStart"/>.</summary>
    private bool _storeDeferred;

    public SwarmSqlWriteJournal(Akka.Configuration.Config journalConfig)
        : base(journalConfig)
    {
        _rows = SqliteJournalRows.For(journalConfig, (ExtendedActorSystem)Context.System);
        // Only where nothing is left for the plugin to create: its initialization would make the tables first.
        _storeDeferred = _rows is not null && !journalConfig.WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultJournalConfiguration).GetBoolean("auto-initialize", false);
    }

    /// <summary>Start-up (issue 14): with plain writes the plugin's store is made at the first message that needs it (a
    /// replay, a deletion, a highest sequence number no bulk read offered). A `get` never sends one: its catalog and
    /// its torrent's journal start from the bulk read, and linq2db is not loaded at all.</summary>
    protected override void PreStart()
    {
        if (!_storeDeferred)
        {
            base.PreStart();
        }
    }

    protected override bool AroundReceive(Receive receive, object message)
    {
        if (_storeDeferred && NeedsStore(message))
        {
            _storeDeferred = false;
            // The plugin's own start: it stashes what comes until its store is made, this message first.
            base.PreStart();
            Stash.Stash();
            return true;
        }

        return base.AroundReceive(receive, message);
    }

    /// <summary>False for what this journal answers without the plugin's store: writes, and a recovery that replays
    /// nothing past the highest sequence number a bulk read offered (the condition AsyncWriteJournal replays on).</summary>
    private bool NeedsStore(object message) => message switch
    {
        WriteMessages or PlainWriteFinished => false,
        ReplayMessages r => !_handoff.TryPeekHighest(r.PersistenceId, out var highest) || (Math.Min(r.ToSequenceNr, highest) > 0 && r.FromSequenceNr <= Math.Min(r.ToSequenceNr, highest)),
        _ => true,
    };

    public override async Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_handoff.TryTakeHighest(persistenceId, out var highest))
        {
            return highest;
        }

        if (_writing.TryGetValue(persistenceId, out var writing))
        {
            // Whether it succeeded or not: it has landed or never will.
            await writing.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }

        return await base.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken).ConfigureAwait(false);
    }

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        if (_rows is null)
        {
            return base.WriteMessagesAsync(messages, cancellationToken);
        }

        var writes = messages.ToList();
        var (rows, rejections) = _rows.Serialize(writes, DateTime.UtcNow.Ticks);
        var rowsWriter = _rows;
        // Off the journal's thread (Microsoft.Data.Sqlite's calls block), after the previous write whatever its outcome.
        var write = _tail.ContinueWith(_ => rowsWriter.Insert(rows), CancellationToken.None, TaskContinuationOptions.DenyChildAttach, TaskScheduler.Default);
        _tail = write;
        var persistenceId = writes[0].PersistenceId;
        _writing[persistenceId] = write;
        var self = Self;
        _ = write.ContinueWith(_ => self.Tell(new PlainWriteFinished(persistenceId, write)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return write.ContinueWith(
            t =>
            {
                t.GetAwaiter().GetResult();
                return rejections!;
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    protected override bool ReceivePluginInternal(object message)
    {
        if (message is PlainWriteFinished finished)
        {
            if (_writing.TryGetValue(finished.PersistenceId, out var latest) && latest == finished.Write)
            {
                _writing.Remove(finished.PersistenceId);
            }

            return true;
        }

        return base.ReceivePluginInternal(message);
    }

    private sealed record PlainWriteFinished(string PersistenceId, Task Write);
}
