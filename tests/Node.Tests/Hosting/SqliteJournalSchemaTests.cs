using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Microsoft.Data.Sqlite;
using Swarm.Node.Hosting;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

/// <summary>The journal's SQLite tables made without the plugin must be the plugin's own: a plugin update that adds or
/// changes a table fails here, not in a user's journal.</summary>
public sealed class SqliteJournalSchemaTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("swarm-schema-").FullName;

    [Fact]
    public async Task The_plugin_creates_exactly_these_tables_and_indexes_on_a_fresh_database()
    {
        var byPlugin = Path.Combine(_dir, "plugin.db");
        var journal = Store(byPlugin) with { CreatesSchema = false };
        await using (var system = await StartAsync(journal))
        {
            await RecoverAsync(system.System, "probe");
        }

        var ours = Path.Combine(_dir, "ours.db");
        await EnsureAsync(ours);

        Assert.Contains(Schema(byPlugin), row => row.StartsWith("table journal on journal: CREATE TABLE [journal]", StringComparison.Ordinal));
        Assert.Equal(Schema(byPlugin), Schema(ours));
    }

    [Fact]
    public async Task The_plugin_writes_and_recovers_on_our_tables_with_its_own_creation_off()
    {
        var file = Path.Combine(_dir, "swarm.db");
        var journal = Store(file);
        Assert.True(journal.CreatesSchema);
        await journal.CheckReachableAsync(CancellationToken.None);
        var config = journal.ToConfig();
        Assert.False(config.GetBoolean("akka.persistence.journal.sql.auto-initialize"));
        Assert.False(config.GetBoolean("akka.persistence.snapshot-store.sql.auto-initialize"));

        await using (var system = await StartAsync(journal))
        {
            var probe = await RecoverAsync(system.System, "writer");
            Assert.Equal("persisted", await probe.Ask<string>(new Write("one"), Bound));
            Assert.Equal("saved", await probe.Ask<string>(new Snap(), Bound));
            Assert.Equal("persisted", await probe.Ask<string>(new Write("two"), Bound));
        }

        await using (var system = await StartAsync(journal))
        {
            var probe = await RecoverAsync(system.System, "writer");
            Assert.Equal(["one", "two"], await probe.Ask<List<string>>(new Read(), Bound));
        }
    }

    [Fact]
    public async Task Creating_is_idempotent_and_leaves_rows_and_a_plugin_made_database_alone()
    {
        var file = Path.Combine(_dir, "twice.db");
        await EnsureAsync(file);
        await using (var c = Open(file))
        {
            await using var insert = c.CreateCommand();
            insert.CommandText = "INSERT INTO journal (created, deleted, persistence_id, sequence_number, message) VALUES (1, 0, 'p', 1, x'00')";
            await insert.ExecuteNonQueryAsync();
        }

        var before = Schema(file);
        await EnsureAsync(file);
        Assert.Equal(before, Schema(file));
        await using var check = Open(file);
        await using var count = check.CreateCommand();
        count.CommandText = "SELECT count(*) FROM journal";
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public void Only_the_default_mapping_is_made_by_us_and_anything_else_is_left_to_the_plugin()
    {
        var shipped = SwarmConfiguration.Load(null, new Dictionary<string, string>());
        Assert.True(SqliteJournalSchema.Matches(shipped));
        Assert.True(Store(Path.Combine(_dir, "a.db")).CreatesSchema);
        foreach (var setting in new[]
        {
            "akka.persistence.journal.sql.table-mapping = sqlite",
            "akka.persistence.snapshot-store.sql.table-mapping = sqlite",
            "akka.persistence.journal.sql.tag-write-mode = Csv",
            "akka.persistence.journal.sql.delete-compatibility-mode = true",
            "akka.persistence.journal.sql.auto-initialize = off",
            "akka.persistence.snapshot-store.sql.auto-initialize = off",
            "akka.persistence.journal.sql.default.journal.table-name = events",
            "akka.persistence.snapshot-store.sql.default.snapshot.table-name = snaps",
        })
        {
            var config = ConfigurationFactory.ParseString(setting).WithFallback(shipped);
            Assert.False(SqliteJournalSchema.Matches(config), setting);
            Assert.False(JournalStore.Resolve(config, _dir).CreatesSchema, setting);
        }

        var postgres = ConfigurationFactory.ParseString("""
            swarm.journal.provider = "PostgreSQL.15"
            swarm.journal.connection-string = "Host=127.0.0.1;Database=swarm"
            """).WithFallback(shipped);
        Assert.False(JournalStore.Resolve(postgres, _dir).CreatesSchema);
        Assert.True(JournalStore.Resolve(postgres, _dir).ToConfig().GetBoolean("akka.persistence.journal.sql.auto-initialize", true));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private JournalStore Store(string file) =>
        JournalStore.Resolve(ConfigurationFactory.ParseString($"swarm.journal.connection-string = {SwarmConfiguration.Quote($"Data Source={file}")}").WithFallback(SwarmConfiguration.Load(null, new Dictionary<string, string>())), _dir);

    private static async Task EnsureAsync(string file)
    {
        await using var c = Open(file);
        await SqliteJournalSchema.EnsureAsync(c, CancellationToken.None);
    }

    private static SqliteConnection Open(string file)
    {
        var c = new SqliteConnection($"Data Source={file};Pooling=false");
        c.Open();
        return c;
    }

    /// <summary>Every table and index as SQLite stores it (the statement text, `IF NOT EXISTS` dropped).</summary>
    private static List<string> Schema(string file)
    {
        using var c = Open(file);
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT type || ' ' || name || ' on ' || tbl_name || ': ' || coalesce(sql, '(implicit)') FROM sqlite_master ORDER BY type, name";
        using var reader = cmd.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static async Task<Running> StartAsync(JournalStore journal)
    {
        var config = journal.ToConfig().WithFallback(SwarmConfiguration.Load(null, new Dictionary<string, string>()))
            .WithFallback(ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        return await Task.FromResult(new Running(ActorSystem.Create("schema", config)));
    }

    /// <summary>Waits until a persistent actor recovered: the snapshot store and the journal have both started.</summary>
    private static async Task<IActorRef> RecoverAsync(ActorSystem system, string id)
    {
        var recovered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = system.ActorOf(Props.Create(() => new Probe(id, recovered)));
        await recovered.Task.WaitAsync(Bound);
        return actor;
    }

    private sealed record Write(string Text);

    private sealed record Snap;

    private sealed record Read;

    private sealed class Running(ActorSystem system) : IAsyncDisposable
    {
        public ActorSystem System { get; } = system;

        public async ValueTask DisposeAsync() => await System.Terminate().WaitAsync(Bound);
    }

    private sealed class Probe : UntypedPersistentActor
    {
        private readonly TaskCompletionSource _recovered;
        private List<string> _texts = [];

        public Probe(string id, TaskCompletionSource recovered)
        {
            PersistenceId = id;
            _recovered = recovered;
        }

        public override string PersistenceId { get; }

        protected override void OnRecover(object message)
        {
            switch (message)
            {
                case string text:
                    _texts.Add(text);
                    break;
                case SnapshotOffer { Snapshot: string[] texts }:
                    _texts = [.. texts];
                    break;
                case RecoveryCompleted:
                    _recovered.TrySetResult();
                    break;
            }
        }

        protected override void OnCommand(object message)
        {
            var sender = Sender;
            switch (message)
            {
                case Write w:
                    Persist(w.Text, text =>
                    {
                        _texts.Add(text);
                        sender.Tell("persisted");
                    });
                    break;
                case Snap:
                    SaveSnapshot(_texts.ToArray());
                    BecomeStacked(m =>
                    {
                        if (m is SaveSnapshotSuccess)
                        {
                            sender.Tell("saved");
                            UnbecomeStacked();
                        }
                        else if (m is SaveSnapshotFailure f)
                        {
                            sender.Tell(new Status.Failure(f.Cause));
                            UnbecomeStacked();
                        }
                    });
                    break;
                case Read:
                    Sender.Tell(_texts.ToList());
                    break;
            }
        }
    }
}
