using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Swarm.Actors.Persistence;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Persistence;

/// <summary>Issue 14: the snapshot store's data access (linq2db) is made at the first load, save or deletion that reaches
/// it (<see cref="SwarmSqlSnapshotStore"/>); a recovery that loads no snapshot is answered without it.</summary>
public sealed class SwarmSqlSnapshotStoreTests : Akka.TestKit.Xunit2.TestKit
{
    // A bound, not a verdict: the plugin's first query on a loaded two-core machine has taken seconds.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string Hocon = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "swarm.conf"));
    private readonly string _file;

    public SwarmSqlSnapshotStoreTests(ITestOutputHelper output)
        : base(Store(out var file), output: output) => _file = file;

    /// <summary>The catalog's and every torrent journal's recovery from the bulk read: answered without opening the
    /// database (this one cannot be opened), where the plugin's own store made its data access and created its tables
    /// first.</summary>
    [Fact]
    public async Task A_load_of_no_snapshot_is_answered_without_the_database()
    {
        var config = ConfigurationFactory.ParseString($"""
            akka.persistence.snapshot-store.sql.connection-string = "Data Source={Path.Combine(Path.GetTempPath(), $"swarm-missing-{Guid.NewGuid():N}", "none.db")}"
            """).WithFallback(Sys.Settings.Config);
        var unreachable = ActorSystem.Create("unreachable-snapshots", config);
        try
        {
            var probe = CreateTestProbe(unreachable);
            var store = Akka.Persistence.Persistence.Instance.Apply(unreachable).SnapshotStoreFor(null);
            store.Tell(new LoadSnapshot("node1/torrent-n", SnapshotSelectionCriteria.None, 7), probe.Ref);
            var result = probe.ExpectMsg<LoadSnapshotResult>(Wait);
            Assert.Null(result.Snapshot);
            Assert.Equal(7, result.ToSequenceNr);

            // A real load needs the database: it fails, and says so.
            store.Tell(new LoadSnapshot("node1/torrent-n", SnapshotSelectionCriteria.Latest, long.MaxValue), probe.Ref);
            probe.ExpectMsg<LoadSnapshotFailed>(Wait);
        }
        finally
        {
            await unreachable.Terminate().WaitAsync(Wait);
        }
    }

    /// <summary>The plugin's queries, through the data access made at the first of them (tables created first).</summary>
    [Fact]
    public void Snapshots_are_saved_loaded_and_deleted_through_the_plugins_tables()
    {
        var store = Akka.Persistence.Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        store.Tell(new SaveSnapshot(new SnapshotMetadata("node1/torrent-s", 3, DateTime.UtcNow), "state at 3"));
        ExpectMsg<SaveSnapshotSuccess>(Wait);
        store.Tell(new SaveSnapshot(new SnapshotMetadata("node1/torrent-s", 5, DateTime.UtcNow), "state at 5"));
        ExpectMsg<SaveSnapshotSuccess>(Wait);

        Assert.Equal("state at 5", Load(store, SnapshotSelectionCriteria.Latest)?.Snapshot);
        Assert.Equal("state at 3", Load(store, new SnapshotSelectionCriteria(4))?.Snapshot);

        store.Tell(new DeleteSnapshots("node1/torrent-s", new SnapshotSelectionCriteria(4)));
        ExpectMsg<DeleteSnapshotsSuccess>(Wait);
        Assert.Null(Load(store, new SnapshotSelectionCriteria(4)));
        Assert.Equal(5, Load(store, SnapshotSelectionCriteria.Latest)?.Metadata.SequenceNr);
    }

    private SelectedSnapshot? Load(IActorRef store, SnapshotSelectionCriteria criteria)
    {
        store.Tell(new LoadSnapshot("node1/torrent-s", criteria, long.MaxValue));
        return ExpectMsg<LoadSnapshotResult>(Wait).Snapshot;
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
        {
            File.Delete(f);
        }
    }

    private static Config Store(out string file)
    {
        file = Path.Combine(Path.GetTempPath(), $"swarm-snapshots-{Guid.NewGuid():N}.db");
        return ConfigurationFactory.ParseString($"""
            akka.persistence.journal.sql.connection-string = "Data Source={file}"
            akka.persistence.journal.sql.provider-name = "SQLite.MS"
            akka.persistence.snapshot-store.sql.connection-string = "Data Source={file}"
            akka.persistence.snapshot-store.sql.provider-name = "SQLite.MS"
            """).WithFallback(ConfigurationFactory.ParseString(Hocon));
    }
}
