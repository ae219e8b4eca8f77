using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors.Persistence;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Persistence.TorrentJournalMessages;

namespace Swarm.Actors.Tests.Persistence;

/// <summary>Issue 14: the catalog's bulk read of every torrent journal reads Akka.Persistence.Sql's tables directly.
/// On both stores the node runs, it must give exactly what each journal's own recovery replays; a change of the
/// plugin's schema (a renamed table or column) fails these tests. A journal handed its history starts without a
/// replay and writes after the rows on disk.</summary>
public abstract class JournalPrefetchSpec(Config config, ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(config, output: output)
{
    // A bound, not a verdict: recovery on a loaded two-core machine has taken over 10 s.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const string Prefix = "node1/torrent-";

    protected static Config StoreConfig(string provider, string cs) => ConfigurationFactory.ParseString($"""
        akka.persistence.journal.sql.connection-string = "{cs}"
        akka.persistence.journal.sql.provider-name = "{provider}"
        akka.persistence.snapshot-store.sql.connection-string = "{cs}"
        akka.persistence.snapshot-store.sql.provider-name = "{provider}"
        """).WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "swarm.conf"))));

    [Fact]
    public void The_bulk_read_is_what_each_journal_replays()
    {
        // Snapshots every 5 rows: a snapshot, rows it covers (pruned or marked deleted) and rows after it.
        Write($"{Prefix}a", 64, snapshotEvery: 5, [
            .. Enumerable.Range(0, 23).Select(i => (IPersistedEvent)new PiecesVerified([i * 2])),
            new TorrentFilesCreated([0], ["sub"]),
            new TorrentPaused("disk full"),
        ]);
        Write($"{Prefix}b", 16, snapshotEvery: 100, [new PiecesVerified([1, 2, 3]), new PiecesRechecked([2, 9]), new TorrentPaused(null), new TorrentResumed()]);
        Write($"{Prefix}e", 8, snapshotEvery: 100, [new PiecesVerified([1])]); // under the prefix, not asked for
        Write("node2/torrent-a", 8, snapshotEvery: 100, [new PiecesVerified([2])]); // another node's

        var prefetch = JournalPrefetch.For(Sys.Settings.Config);
        Assert.NotNull(prefetch);
        // A snapshot is saved after its row is confirmed: wait (bounded) until a's is in the store.
        // (The snapshot table itself is made by the snapshot store on its first use.)
        AwaitCondition(() =>
        {
            try
            {
                return prefetch.Read(Prefix, new HashSet<string> { $"{Prefix}a" }, Sys.Serialization)[$"{Prefix}a"].History[0] is TorrentSnapshot;
            }
            catch (System.Data.Common.DbException)
            {
                return false;
            }
        }, Wait);
        var pieces = new Dictionary<string, int> { [$"{Prefix}a"] = 64, [$"{Prefix}b"] = 16, [$"{Prefix}c"] = 8 };
        var read = prefetch.Read(Prefix, pieces.Keys.ToHashSet(), Sys.Serialization);

        Assert.Equal(pieces.Keys.Order(), read.Keys.Order());
        foreach (var (id, count) in pieces)
        {
            var replayed = Recover(id, count);
            AssertSame(replayed.State, read[id].StateFor(count));
            Assert.Equal(replayed.LastSequenceNr, read[id].LastSequenceNr);
        }

        Assert.Equal(0, read[$"{Prefix}c"].LastSequenceNr);
        Assert.True(read[$"{Prefix}a"].StateFor(64).Paused);
        Assert.True(read[$"{Prefix}a"].History[0] is TorrentSnapshot, "a's read starts from its snapshot");
        Assert.Equal([2, 9], read[$"{Prefix}b"].StateFor(16).VerifiedPieces());
    }

    [Fact]
    public async Task A_journal_handed_its_history_starts_without_a_replay_and_writes_after_it()
    {
        const string id = $"{Prefix}h";
        Write(id, 32, snapshotEvery: 4, [.. Enumerable.Range(0, 10).Select(i => (IPersistedEvent)new PiecesVerified([i]))]);
        Recover(id, 32); // the store is up (its tables made) once a recovery has read it
        var history = JournalPrefetch.For(Sys.Settings.Config)!.Read(Prefix, new HashSet<string> { id }, Sys.Serialization)[id];

        JournalHandoff.Get(Sys).Offer(id, history);
        var journal = Sys.ActorOf(TorrentJournalActor.Props(id, 32, TestActor, snapshotEvery: 4));
        var handed = ExpectMsg<JournalRecovered>(Wait);
        Assert.Equal(Enumerable.Range(0, 10), handed.State.VerifiedPieces());
        Assert.Equal(10, handed.LastSequenceNr);
        Assert.False(JournalHandoff.Get(Sys).TryTake(id, out _), "taken once: a journal restarted later reads the store");

        // No persistent writer (no store query) until the first write.
        Assert.Null((await Sys.ActorSelection(journal.Path / "writer").Ask<ActorIdentity>(new Identify(1), Wait)).Subject);

        // Sequence numbers go on after the rows on disk (a clash would fail the write), and snapshots follow the rule.
        for (var i = 0; i < 3; i++)
        {
            journal.Tell(new WriteJournalEvent(i + 1, new PiecesVerified([20 + i])));
        }

        for (var i = 0; i < 3; i++)
        {
            ExpectMsg<JournalEventWritten>(Wait);
        }

        this.StopAndWait(journal, Wait);
        var after = Recover(id, 32);
        Assert.Equal([.. Enumerable.Range(0, 10), 20, 21, 22], after.State.VerifiedPieces());
        Assert.Equal(13, after.LastSequenceNr);
    }

    [Fact]
    public void The_journal_answers_an_offered_highest_sequence_number_once_then_asks_the_store()
    {
        const string id = $"{Prefix}o";
        Write(id, 8, snapshotEvery: 100, [new PiecesVerified([1]), new PiecesVerified([2])]);
        var journal = Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor(null);

        // A number the store does not hold (it holds 2): only the offer can answer it. A recovery that replays nothing
        // (to 0, as Recovery.None) asks only for the highest sequence number.
        JournalHandoff.Get(Sys).OfferHighest(id, 41);
        journal.Tell(new Akka.Persistence.ReplayMessages(1, 0, 0, id, TestActor));
        Assert.Equal(41, ExpectMsg<Akka.Persistence.RecoverySuccess>(Wait).HighestSequenceNr);

        journal.Tell(new Akka.Persistence.ReplayMessages(1, 0, 0, id, TestActor));
        Assert.Equal(2, ExpectMsg<Akka.Persistence.RecoverySuccess>(Wait).HighestSequenceNr);
    }

    private void Write(string id, int pieceCount, int snapshotEvery, IReadOnlyList<IPersistedEvent> events)
    {
        var journal = Sys.ActorOf(TorrentJournalActor.Props(id, pieceCount, TestActor, snapshotEvery));
        ExpectMsg<JournalRecovered>(Wait);
        for (var i = 0; i < events.Count; i++)
        {
            journal.Tell(new WriteJournalEvent(i + 1, events[i]));
        }

        for (var i = 0; i < events.Count; i++)
        {
            ExpectMsg<JournalEventWritten>(Wait);
        }

        this.StopAndWait(journal, Wait);
    }

    /// <summary>The journal's own recovery, through the plugin (nothing handed over).</summary>
    private JournalRecovered Recover(string id, int pieceCount)
    {
        var journal = Sys.ActorOf(TorrentJournalActor.Props(id, pieceCount, TestActor, snapshotEvery: 100));
        var r = ExpectMsg<JournalRecovered>(Wait);
        this.StopAndWait(journal, Wait);
        return r;
    }

    private static void AssertSame(TorrentJournalState expected, TorrentJournalState actual)
    {
        Assert.Equal(expected.VerifiedPieces(), actual.VerifiedPieces());
        Assert.Equal(expected.Paused, actual.Paused);
        Assert.Equal(expected.PauseReason, actual.PauseReason);
        Assert.Equal(expected.CreatedFiles, actual.CreatedFiles);
        Assert.Equal(expected.CreatedFolders, actual.CreatedFolders);
    }
}

public sealed class SqliteJournalPrefetchTests : JournalPrefetchSpec
{
    public SqliteJournalPrefetchTests(ITestOutputHelper output)
        : base(Sqlite(out var file), output) => DatabaseFile = file;

    private string DatabaseFile { get; }

    protected override void AfterAll()
    {
        base.AfterAll();
        foreach (var f in new[] { DatabaseFile, DatabaseFile + "-wal", DatabaseFile + "-shm" })
        {
            File.Delete(f);
        }
    }

    private static Config Sqlite(out string file)
    {
        file = Path.Combine(Path.GetTempPath(), $"swarm-prefetch-{Guid.NewGuid():N}.db");
        return StoreConfig("SQLite.MS", $"Data Source={file}");
    }
}

public sealed class PostgresJournalPrefetchTests(PostgresFixture pg, ITestOutputHelper output)
    : JournalPrefetchSpec(StoreConfig("PostgreSQL.15", pg.ConnectionString), output), IClassFixture<PostgresFixture>;
