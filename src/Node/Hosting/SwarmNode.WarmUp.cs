using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors.Configuration;

namespace Swarm.Node.Hosting;

/// <summary>Start-up (issue 14): work a start would otherwise do on its critical path, done on the spare core while
/// the host and the actor system are built. All of it is best effort: what fails here is done (and reported) again by
/// its owner when it gets there.</summary>
public sealed partial class SwarmNode
{
    /// <summary>Once the store is known reachable (and on SQLite its tables there), linq2db's provider, and without
    /// bulk recovery the recovery queries, are built beside the host build rather than on the catalog's recovery
    /// path.</summary>
    /// <remarks>Not for a one-shot node whose journal writes plain rows: nothing of its life needs linq2db.</remarks>
    private static void WarmJournalOnceReachable(Task reachable, JournalStore journal, Config config, SwarmSettings settings) =>
        _ = reachable.ContinueWith(
            t =>
            {
                if (!t.IsCompletedSuccessfully)
                {
                    return Task.CompletedTask;
                }

                journal.WarmProvider();
                // With bulk recovery nothing asks the query it warms at start-up: the highest sequence numbers come from
                // the bulk reads (SwarmSqlWriteJournal), and building it cost ≈ 0.5 s of CPU beside the start.
                return journal.CreatesSchema && !settings.Persistence.BulkRecovery ? JournalWarmUp.RunAsync(config, settings.Persistence.BulkRecovery, CancellationToken.None) : Task.CompletedTask;
            },
            TaskScheduler.Default).Unwrap();

    /// <param name="snapshots">False for a one-shot node writing plain rows: its snapshot store is made if a snapshot
    /// is ever due (the plugin's start builds linq2db's mapping, for nothing in a `get` of one torrent). With the default
    /// <c>SwarmSqlSnapshotStore</c> only its front actor is made here either way: the plugin's store comes with the first
    /// snapshot load, save or deletion.</param>
    private static void StartPersistencePlugins(ActorSystem system, bool snapshots)
    {
        try
        {
            var persistence = Akka.Persistence.Persistence.Instance.Apply(system);
            _ = persistence.JournalFor(null);
            if (snapshots)
            {
                _ = persistence.SnapshotStoreFor(null);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort: the catalog starts them itself and reports what is wrong.
        }
    }

    private static void LoadAppConfigSection()
    {
        try
        {
            _ = ConfigurationFactory.Load();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Best effort: the actor system reads it again and reports what is wrong.
        }
    }
}
