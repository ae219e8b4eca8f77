using Akka.Configuration;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Db;
using Akka.Persistence.Sql.Journal.Types;
using Akka.Persistence.Sql.Snapshot;
using LinqToDB;
using LinqToDB.Async;

namespace Swarm.Node.Hosting;

/// <summary>Start-up (issue 14): runs the read queries of a persistent actor's recovery (latest snapshot, highest
/// sequence number, replay) once, for a persistence id no actor has, on the core the host build leaves free. linq2db
/// builds its first query of each kind through code ReadyToRun cannot precompile (generic instantiations over the
/// plugin's row types, compiled expression trees): about a third of a start's CPU, which the catalog's recovery then
/// waited for.</summary>
/// <remarks>Read-only and best effort: a failure here changes nothing, the plugin reports its own. With bulk recovery the
/// node does not run it at all: the catalog and the journals read their history in plain SQL, and their highest sequence
/// numbers come from those reads (<see cref="Swarm.Actors.Persistence.SwarmSqlWriteJournal"/>).</remarks>
public static class JournalWarmUp
{
    /// <summary>No actor's persistence id (ours are "catalog" and info-hashes).</summary>
    private const string NoOne = "swarm-start-up-warm-up";

    public static async Task RunAsync(Config akka, bool bulkRecovery, CancellationToken ct)
    {
        try
        {
            var journal = new JournalConfig(akka.GetConfig("akka.persistence.journal.sql").WithFallback(SqlPersistence.DefaultJournalConfiguration));
            await using (var db = new AkkaPersistenceDataConnectionFactory(journal).GetConnection())
            {
                _ = await db.GetTable<JournalRow>()
                    .Where(r => r.PersistenceId == NoOne && r.SequenceNumber > 0)
                    .Select(r => (long?)r.SequenceNumber)
                    .MaxAsync(ct).ConfigureAwait(false);
                if (bulkRecovery)
                {
                    return;
                }

                _ = await db.GetTable<JournalRow>()
                    .Where(r => r.PersistenceId == NoOne && r.SequenceNumber >= 1 && r.SequenceNumber <= long.MaxValue && r.Deleted == false)
                    .OrderBy(r => r.SequenceNumber)
                    .Take(int.MaxValue)
                    .ToListAsync(ct).ConfigureAwait(false);
            }

            var snapshots = new SnapshotConfig(akka.GetConfig("akka.persistence.snapshot-store.sql").WithFallback(SqlPersistence.DefaultSnapshotConfiguration));
            await using (var db = new AkkaPersistenceDataConnectionFactory(snapshots).GetConnection())
            {
                _ = await db.GetTable<LongSnapshotRow>()
                    .Where(r => r.PersistenceId == NoOne)
                    .OrderByDescending(r => r.SequenceNumber)
                    .FirstOrDefaultAsync(ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort: the journal's own queries say what is wrong, in the node's log.
        }
    }
}
