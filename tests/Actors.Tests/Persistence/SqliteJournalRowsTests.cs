using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Microsoft.Data.Sqlite;
using Swarm.Actors.Persistence;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Persistence;

/// <summary>Issue 14: on SQLite the journal writes its rows in plain SQL (<see cref="SqliteJournalRows"/>). They must be
/// the rows Akka.Persistence.Sql writes itself (a plugin update that changes its columns or encoding fails here), and the
/// plugin must replay them.</summary>
public sealed class SqliteJournalRowsTests : Akka.TestKit.Xunit2.TestKit
{
    // A bound, not a verdict: a journal's first write on a loaded two-core machine has taken seconds.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string Hocon = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "swarm.conf"));
    private readonly List<string> _files = [];

    public SqliteJournalRowsTests(ITestOutputHelper output)
        : base(Store(out var file, plain: true), output: output) => _files.Add(file);

    [Fact]
    public async Task Plain_rows_are_the_plugins_rows_and_the_plugin_replays_them()
    {
        IPersistedEvent[] events = [new PiecesVerified([1, 2, 3]), new TorrentPaused("disk full"), new TorrentResumed(), new PiecesRechecked([7])];
        var plain = Write(Sys, "node1/torrent-r", events);

        var pluginConfig = Store(out var file, plain: false);
        _files.Add(file);
        var pluginSystem = ActorSystem.Create("plugin-rows", pluginConfig);
        try
        {
            var written = Write(pluginSystem, "node1/torrent-r", events);
            Assert.Equal(written.Count, plain.Count);
            for (var i = 0; i < plain.Count; i++)
            {
                Assert.Equal(written[i] with { Created = 0, WriterUuid = null }, plain[i] with { Created = 0, WriterUuid = null });
                Assert.NotNull(plain[i].WriterUuid);
            }
        }
        finally
        {
            await pluginSystem.Terminate().WaitAsync(Wait);
        }

        // Through the plugin's own replay, in order.
        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);
        journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, "node1/torrent-r", TestActor));
        foreach (var e in events)
        {
            Assert.Equivalent(e, ExpectMsg<ReplayedMessage>(Wait).Persistent.Payload, strict: true);
        }

        Assert.Equal(events.Length, ExpectMsg<RecoverySuccess>(Wait).HighestSequenceNr);
    }

    /// <summary>Where the tables exist already (a node makes them itself), the plugin's store is made only when a message
    /// needs it: writes and an offered recovery go through before, a replay after, and the store then holds them all.</summary>
    [Fact]
    public async Task Without_table_creation_the_store_is_made_at_the_first_message_that_needs_it()
    {
        IPersistedEvent[] events = [new PiecesVerified([4]), new TorrentPaused(null)];
        Write(Sys, "node1/torrent-x", events); // the tables are made here, by the plugin
        var config = ConfigurationFactory.ParseString("""
            akka.persistence.journal.sql.auto-initialize = off
            akka.persistence.snapshot-store.sql.auto-initialize = off
            """).WithFallback(Sys.Settings.Config);
        var second = ActorSystem.Create("deferred-store", config);
        try
        {
            var probe = CreateTestProbe(second);
            var journal = Akka.Persistence.Persistence.Instance.Apply(second).JournalFor(null);

            // An offered highest sequence number and nothing to replay: answered without the store.
            JournalHandoff.Get(second).OfferHighest("node1/torrent-y", 0);
            journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, "node1/torrent-y", probe.Ref));
            Assert.Equal(0, probe.ExpectMsg<RecoverySuccess>(Wait).HighestSequenceNr);
            journal.Tell(new WriteMessages([new AtomicWrite(new Persistent(events[0], 1, "node1/torrent-y", writerGuid: "w"))], probe.Ref, 1));
            probe.ExpectMsg<WriteMessagesSuccessful>(Wait);
            probe.ExpectMsg<WriteMessageSuccess>(Wait);

            // A replay needs the store: made now, then both journals replay in full.
            foreach (var (id, expected) in new[] { ("node1/torrent-x", events), ("node1/torrent-y", events[..1]) })
            {
                journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, id, probe.Ref));
                foreach (var e in expected)
                {
                    Assert.Equivalent(e, probe.ExpectMsg<ReplayedMessage>(Wait).Persistent.Payload, strict: true);
                }

                Assert.Equal(expected.Length, probe.ExpectMsg<RecoverySuccess>(Wait).HighestSequenceNr);
            }
        }
        finally
        {
            await second.Terminate().WaitAsync(Wait);
        }
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("plain-sqlite-writes = off", false)]
    [InlineData("provider-name = \"PostgreSQL.15\"", false)]
    [InlineData("tag-write-mode = Csv", false)]
    [InlineData("table-mapping = sqlite", false)]
    public void Rows_are_written_in_plain_sql_only_where_they_are_the_plugins_default_rows(string setting, bool plain)
    {
        var journal = ConfigurationFactory.ParseString(setting).WithFallback(Sys.Settings.Config.GetConfig("akka.persistence.journal.sql"));
        Assert.Equal(plain, SqliteJournalRows.For(journal, (ExtendedActorSystem)Sys) is not null);
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        foreach (var f in _files.SelectMany(f => new[] { f, f + "-wal", f + "-shm" }))
        {
            File.Delete(f);
        }
    }

    private static Config Store(out string file, bool plain)
    {
        file = Path.Combine(Path.GetTempPath(), $"swarm-rows-{Guid.NewGuid():N}.db");
        return ConfigurationFactory.ParseString($"""
            akka.persistence.journal.sql.connection-string = "Data Source={file}"
            akka.persistence.journal.sql.provider-name = "SQLite.MS"
            akka.persistence.journal.sql.plain-sqlite-writes = {(plain ? "on" : "off")}
            akka.persistence.snapshot-store.sql.connection-string = "Data Source={file}"
            akka.persistence.snapshot-store.sql.provider-name = "SQLite.MS"
            """).WithFallback(ConfigurationFactory.ParseString(Hocon));
    }

    /// <summary>Writes the events through the system's journal (two batches, the second of several events), then reads
    /// back the rows as stored.</summary>
    private List<Row> Write(ActorSystem system, string id, IReadOnlyList<IPersistedEvent> events)
    {
        var journal = Akka.Persistence.Persistence.Instance.Apply(system).JournalFor(null);
        var probe = CreateTestProbe(system);
        AtomicWrite[] batches =
        [
            new(new Persistent(events[0], 1, id, writerGuid: "w")),
            new(System.Collections.Immutable.ImmutableList.CreateRange(events.Skip(1).Select((e, i) => (IPersistentRepresentation)new Persistent(e, i + 2, id, writerGuid: "w")))),
        ];
        journal.Tell(new WriteMessages(batches, probe.Ref, 1));
        probe.ExpectMsg<WriteMessagesSuccessful>(Wait);
        for (var i = 0; i < events.Count; i++)
        {
            probe.ExpectMsg<WriteMessageSuccess>(Wait);
        }

        var cs = system.Settings.Config.GetString("akka.persistence.journal.sql.connection-string");
        using var connection = new SqliteConnection(cs);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT created, deleted, persistence_id, sequence_number, message, manifest, identifier, writer_uuid, typeof(deleted) FROM journal ORDER BY ordering";
        using var reader = command.ExecuteReader();
        var rows = new List<Row>();
        while (reader.Read())
        {
            rows.Add(new Row(
                reader.GetInt64(0),
                reader.GetInt64(1),
                reader.GetString(2),
                reader.GetInt64(3),
                Convert.ToHexString((byte[])reader[4]),
                reader.GetString(5),
                reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetString(8)));
        }

        return rows;
    }

    private sealed record Row(long Created, long Deleted, string PersistenceId, long SequenceNr, string Message, string Manifest, int Identifier, string? WriterUuid, string DeletedType);
}
