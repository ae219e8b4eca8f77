using Akka.Actor;
using Akka.Configuration;
using Microsoft.Data.Sqlite;
using Swarm.Actors.Persistence;
using Swarm.Actors.Pieces;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Persistence.TorrentJournalMessages;

namespace Swarm.Actors.Tests.Persistence;

/// <summary>The torrent journal on a real SQLite file (Akka.Persistence.Sql, as the node runs it): events and
/// snapshots replay into the same state, and nothing journaled is lost across incarnations.</summary>
public sealed class TorrentJournalTests : Akka.TestKit.Xunit2.TestKit
{
    // A bound, not a verdict: SQLite recovery on a loaded two-core machine has taken over 10 s.
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public TorrentJournalTests(ITestOutputHelper output)
        : base(SqliteConfig(out var file), output: output)
    {
        DatabaseFile = file;
    }

    private string DatabaseFile { get; }

    private static Config SqliteConfig(out string file)
    {
        file = Path.Combine(Path.GetTempPath(), $"swarm-journal-{Guid.NewGuid():N}.db");
        var cs = $"Data Source={file}";
        return ConfigurationFactory.ParseString($"""
            akka.persistence.journal.sql.connection-string = "{cs}"
            akka.persistence.journal.sql.provider-name = "SQLite.MS"
            akka.persistence.snapshot-store.sql.connection-string = "{cs}"
            akka.persistence.snapshot-store.sql.provider-name = "SQLite.MS"
            """).WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "swarm.conf"))));
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        foreach (var f in new[] { DatabaseFile, DatabaseFile + "-wal", DatabaseFile + "-shm" })
        {
            File.Delete(f);
        }
    }

    [Fact]
    public void A_new_torrent_recovers_empty()
    {
        Sys.ActorOf(TorrentJournalActor.Props("t-new", 8, TestActor, snapshotEvery: 100));
        var r = ExpectMsg<JournalRecovered>(Wait);
        Assert.Equal(0, r.LastSequenceNr);
        Assert.Equal(0, r.State.VerifiedCount);
    }

    [Fact]
    public void Events_replay_into_the_same_state()
    {
        var first = Sys.ActorOf(TorrentJournalActor.Props("t-events", 16, TestActor, snapshotEvery: 100));
        ExpectMsg<JournalRecovered>(Wait);
        first.Tell(new WriteJournalEvent(1, new PiecesVerified([0, 3, 5])));
        first.Tell(new WriteJournalEvent(2, new PiecesVerified([7])));
        first.Tell(new WriteJournalEvent(3, new TorrentPaused("disk full")));
        ExpectMsg<JournalEventWritten>(w => w.Id == 1, Wait);
        ExpectMsg<JournalEventWritten>(w => w.Id == 2, Wait);
        ExpectMsg<JournalEventWritten>(w => w.Id == 3, Wait);
        this.StopAndWait(first, Wait);

        Sys.ActorOf(TorrentJournalActor.Props("t-events", 16, TestActor, snapshotEvery: 100));
        var r = ExpectMsg<JournalRecovered>(Wait);
        Assert.Equal([0, 3, 5, 7], r.State.VerifiedPieces());
        Assert.True(r.State.Paused);
        Assert.Equal("disk full", r.State.PauseReason);
        Assert.Equal(3, r.LastSequenceNr);
    }

    [Fact]
    public void Snapshots_bound_what_is_replayed_and_lose_nothing()
    {
        var first = Sys.ActorOf(TorrentJournalActor.Props("t-snap", 64, TestActor, snapshotEvery: 5));
        ExpectMsg<JournalRecovered>(Wait);
        for (var i = 0; i < 23; i++)
        {
            first.Tell(new WriteJournalEvent(i, new PiecesVerified([i * 2])));
        }

        for (var i = 0; i < 23; i++)
        {
            ExpectMsg<JournalEventWritten>(Wait);
        }

        this.StopAndWait(first, Wait);

        Sys.ActorOf(TorrentJournalActor.Props("t-snap", 64, TestActor, snapshotEvery: 5));
        var r = ExpectMsg<JournalRecovered>(Wait);
        Assert.Equal(Enumerable.Range(0, 23).Select(i => i * 2), r.State.VerifiedPieces());
        Assert.Equal(23, r.LastSequenceNr);
    }

    [Fact]
    public void A_resumed_torrent_clears_its_pause()
    {
        var first = Sys.ActorOf(TorrentJournalActor.Props("t-pause", 4, TestActor, snapshotEvery: 2));
        ExpectMsg<JournalRecovered>(Wait);
        first.Tell(new WriteJournalEvent(1, new TorrentPaused(null)));
        first.Tell(new WriteJournalEvent(2, new TorrentResumed()));
        first.Tell(new WriteJournalEvent(3, new PiecesVerified([1])));
        ExpectMsg<JournalEventWritten>(Wait);
        ExpectMsg<JournalEventWritten>(Wait);
        ExpectMsg<JournalEventWritten>(Wait);
        this.StopAndWait(first, Wait);

        Sys.ActorOf(TorrentJournalActor.Props("t-pause", 4, TestActor, snapshotEvery: 2));
        var r = ExpectMsg<JournalRecovered>(Wait);
        Assert.False(r.State.Paused);
        Assert.Equal([1], r.State.VerifiedPieces());
    }

    /// <summary>Issue 14: a journal read never takes SQLite's write lock, so recoveries run while another connection
    /// writes (before, each read began BEGIN IMMEDIATE and waited, sleeping in the driver, until the writer was done).</summary>
    [Fact]
    public void A_journal_recovers_while_another_connection_holds_the_write_lock()
    {
        var first = Sys.ActorOf(TorrentJournalActor.Props("t-locked", 8, TestActor, snapshotEvery: 100));
        ExpectMsg<JournalRecovered>(Wait);
        first.Tell(new WriteJournalEvent(1, new PiecesVerified([2, 6])));
        ExpectMsg<JournalEventWritten>(Wait);
        this.StopAndWait(first, Wait);

        // Pooling off: the lock must go with this connection, not linger in a pool shared with the journal.
        using var writer = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False");
        writer.Open();
        using var write = writer.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: SQLite's one write lock
        try
        {
            Sys.ActorOf(TorrentJournalActor.Props("t-locked", 8, TestActor, snapshotEvery: 100));
            // Well within the driver's 30 s busy timeout, after which a locked read fails (JournalFailed).
            var r = ExpectMsg<JournalRecovered>(TimeSpan.FromSeconds(20));
            Assert.Equal([2, 6], r.State.VerifiedPieces());
            Assert.Equal(1, r.LastSequenceNr);
        }
        finally
        {
            write.Rollback();
        }
    }
}
