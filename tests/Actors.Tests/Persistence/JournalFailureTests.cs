using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.TestKit;
using Swarm.Actors.Persistence;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Persistence.TorrentJournalMessages;

namespace Swarm.Actors.Tests.Persistence;

/// <summary>Journal outages with Akka.Persistence.TestKit's TestJournal: a failed write is reported and stops the
/// journal actor (its backoff supervisor restarts it); a rejected write is reported and the actor goes on. Nothing
/// that failed is ever recovered as verified.</summary>
public sealed class JournalFailureTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestJournalConfig, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static Config TestJournalConfig => TestNodes.TestJournalConfig;

    private ITestJournal Journal => TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor("akka.persistence.journal.test"));

    [Fact]
    public async Task A_failed_write_is_reported_stops_the_journal_and_is_not_recovered()
    {
        var first = Sys.ActorOf(TorrentJournalActor.Props("f-fail", 8, TestActor, snapshotEvery: 100));
        ExpectMsg<JournalRecovered>(Wait);
        first.Tell(new WriteJournalEvent(1, new PiecesVerified([1])));
        ExpectMsg<JournalEventWritten>(w => w.Id == 1, Wait);

        await Journal.OnWrite.Fail();
        Watch(first);
        first.Tell(new WriteJournalEvent(2, new PiecesVerified([2])));
        var failed = ExpectMsg<JournalFailed>(Wait);
        Assert.StartsWith("journal write failed", failed.Error, StringComparison.Ordinal);
        ExpectTerminated(first, Wait);

        await Journal.OnWrite.Pass();
        Sys.ActorOf(TorrentJournalActor.Props("f-fail", 8, TestActor, snapshotEvery: 100));
        var recovered = ExpectMsg<JournalRecovered>(Wait);
        Assert.Equal([1], recovered.State.VerifiedPieces());
    }

    [Fact]
    public async Task A_rejected_write_is_reported_and_the_journal_goes_on()
    {
        var journal = Sys.ActorOf(TorrentJournalActor.Props("f-reject", 8, TestActor, snapshotEvery: 100));
        ExpectMsg<JournalRecovered>(Wait);

        await Journal.OnWrite.Reject();
        journal.Tell(new WriteJournalEvent(1, new PiecesVerified([3])));
        Assert.StartsWith("journal rejected an event", ExpectMsg<JournalFailed>(Wait).Error, StringComparison.Ordinal);

        await Journal.OnWrite.Pass();
        journal.Tell(new WriteJournalEvent(2, new PiecesVerified([4])));
        ExpectMsg<JournalEventWritten>(w => w.Id == 2, Wait);

        this.StopAndWait(journal, Wait);
        Sys.ActorOf(TorrentJournalActor.Props("f-reject", 8, TestActor, snapshotEvery: 100));
        Assert.Equal([4], ExpectMsg<JournalRecovered>(Wait).State.VerifiedPieces());
    }

    [Fact]
    public async Task An_unreadable_journal_is_reported_for_that_torrent_only()
    {
        foreach (var (id, piece) in new[] { ("f-good", 5), ("f-bad", 6) })
        {
            var writer = Sys.ActorOf(TorrentJournalActor.Props(id, 8, TestActor, snapshotEvery: 100));
            ExpectMsg<JournalRecovered>(Wait);
            writer.Tell(new WriteJournalEvent(1, new PiecesVerified([piece])));
            ExpectMsg<JournalEventWritten>(Wait);
            this.StopAndWait(writer, Wait);
        }

        // f-bad's rows can no longer be read (a corrupt row, an unknown event): only f-bad is affected.
        await Journal.OnRecovery.FailIf(row => row.PersistenceId == "f-bad");
        Sys.ActorOf(TorrentJournalActor.Props("f-bad", 8, TestActor, snapshotEvery: 100));
        Assert.Contains("f-bad cannot be read", ExpectMsg<JournalFailed>(Wait).Error, StringComparison.Ordinal);

        Sys.ActorOf(TorrentJournalActor.Props("f-good", 8, TestActor, snapshotEvery: 100));
        Assert.Equal([5], ExpectMsg<JournalRecovered>(Wait).State.VerifiedPieces());
    }
}
