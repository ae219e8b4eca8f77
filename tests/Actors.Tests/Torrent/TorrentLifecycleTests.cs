using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.TestKit;
using Swarm.Actors.Configuration;
using Swarm.Actors.Persistence;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Persistence.TorrentJournalMessages;
using static Swarm.Actors.Torrent.TorrentMessages;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>One torrent actor through its lifecycle (failed, paused, re-checked) with a journal that fails on demand
/// (Akka.Persistence.TestKit): what status shows, and what survives in the journal.</summary>
public sealed class TorrentLifecycleTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static Config Config => TestNodes.TestJournalConfig;

    private static SwarmSettings Settings => TestNodes.Settings with
    {
        Persistence = TestNodes.Settings.Persistence with
        {
            RestartMinBackoff = TimeSpan.FromMilliseconds(200),
            RestartMaxBackoff = TimeSpan.FromSeconds(1),
            ResendAfter = TimeSpan.FromMilliseconds(300),
        },
    };

    private ITestJournal Journal => TestJournal.FromRef(Akka.Persistence.Persistence.Instance.Apply(Sys).JournalFor("akka.persistence.journal.test"));

    [Fact]
    public async Task An_unreadable_history_fails_the_torrent_visibly_and_it_goes_on_once_the_history_can_be_read()
    {
        using var torrent = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14);
        var first = Start(torrent, "unreadable");
        await AwaitAssertAsync(async () => Assert.Equal(TorrentState.Seeding, (await Status(first)).State), Wait);
        await first.Ask<JournalSynced>(new SyncJournal(), Wait);
        this.StopAndWait(first, Wait);

        await Journal.OnRecovery.Fail();
        var actor = Start(torrent, "unreadable");
        await AwaitAssertAsync(
            async () =>
            {
                var status = await Status(actor);
                Assert.Equal(TorrentState.Error, status.State);
                Assert.Contains("lifecycle/unreadable cannot be read", status.Error, StringComparison.Ordinal);
            },
            Wait);

        // The journal keeps trying under its backoff supervisor; once it reads, the torrent resumes from its history.
        await Journal.OnRecovery.Pass();
        await AwaitAssertAsync(
            async () =>
            {
                var status = await Status(actor);
                Assert.Equal((TorrentState.Seeding, torrent.Metainfo.PieceCount), (status.State, status.ResumedPieces));
            },
            Wait);
    }

    [Fact]
    public async Task A_journal_outage_is_shown_while_it_lasts_and_what_it_missed_is_journaled_after()
    {
        using var torrent = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14);
        var actor = Start(torrent, "outage");
        await AwaitAssertAsync(async () => Assert.Equal(TorrentState.Seeding, (await Status(actor)).State), Wait);
        await actor.Ask<JournalSynced>(new SyncJournal(), Wait);

        await Journal.OnWrite.Fail();
        actor.Tell(new Pause("maintenance"));
        await AwaitAssertAsync(async () => Assert.StartsWith("journal write failed", (await Status(actor)).JournalError, StringComparison.Ordinal), Wait);
        Assert.Equal((TorrentState.Paused, "maintenance"), ((await Status(actor)).State, (await Status(actor)).Error));

        // The journal comes back under its backoff supervisor; the pause it missed is sent again and confirmed.
        await Journal.OnWrite.Pass();
        await actor.Ask<JournalSynced>(new SyncJournal(), Wait);
        Assert.Null((await Status(actor)).JournalError);

        // A new incarnation reads the pause back, and the pieces checked before it.
        this.StopAndWait(actor, Wait);
        var again = Start(torrent, "outage");
        await AwaitAssertAsync(
            async () =>
            {
                var status = await Status(again);
                Assert.Equal((TorrentState.Paused, "maintenance"), (status.State, status.Error));
                Assert.Equal((torrent.Metainfo.PieceCount, torrent.Metainfo.PieceCount), (status.VerifiedPieces, status.ResumedPieces));
            },
            Wait);
    }

    [Fact]
    public async Task A_paused_torrent_that_is_rechecked_is_paused_again_with_what_the_check_found()
    {
        using var torrent = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14);
        var actor = Start(torrent, "recheck-paused");
        await AwaitAssertAsync(async () => Assert.Equal(TorrentState.Seeding, (await Status(actor)).State), Wait);
        actor.Tell(new Pause("night"));
        await AwaitAssertAsync(async () => Assert.Equal(TorrentState.Paused, (await Status(actor)).State), Wait);

        // Half the data goes missing behind the torrent's back; the re-check finds it out, and the torrent stays paused.
        await using (var file = new FileStream(Path.Combine(torrent.SeedDir, "content.bin"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Write(new byte[128 << 10]);
        }

        actor.Tell(new Recheck());
        await AwaitAssertAsync(
            async () =>
            {
                var status = await Status(actor);
                Assert.Equal((TorrentState.Paused, "night"), (status.State, status.Error));
                Assert.Equal(torrent.Metainfo.PieceCount / 2, status.VerifiedPieces);
            },
            Wait);
    }

    [Fact]
    public async Task Seed_data_that_does_not_match_fails_the_torrent_and_a_resume_checks_again()
    {
        using var torrent = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14);
        var content = Path.Combine(torrent.SeedDir, "content.bin");
        await File.WriteAllBytesAsync(content, new byte[torrent.Content.Length]);
        var actor = Start(torrent, "mismatch", seedOnly: true);

        await AwaitAssertAsync(
            async () =>
            {
                var status = await Status(actor);
                Assert.Equal(TorrentState.Error, status.State);
                Assert.StartsWith("data does not match the torrent", status.Error, StringComparison.Ordinal);
            },
            Wait);

        await File.WriteAllBytesAsync(content, torrent.Content);
        actor.Tell(new Resume());
        await AwaitAssertAsync(async () => Assert.Equal(TorrentState.Seeding, (await Status(actor)).State), Wait);
    }

    [Fact]
    public async Task A_torrent_handed_its_history_makes_its_journal_only_for_its_first_write()
    {
        using var torrent = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14);
        var first = Start(torrent, "handed");
        await AwaitAssertAsync(async () => Assert.Equal(TorrentState.Seeding, (await Status(first)).State), Wait);
        await first.Ask<JournalSynced>(new SyncJournal(), Wait);
        this.StopAndWait(first, Wait);

        // What the catalog's bulk read would hand over at the node's start: the history as the store holds it.
        var reader = Sys.ActorOf(TorrentJournalActor.Props("lifecycle/handed", torrent.Metainfo.PieceCount, TestActor, snapshotEvery: 100));
        var stored = ExpectMsg<JournalRecovered>(Wait);
        this.StopAndWait(reader, Wait);
        JournalHandoff.Get(Sys).Offer("lifecycle/handed", new PrefetchedJournal([stored.State.ToSnapshot()], stored.LastSequenceNr));

        var actor = Start(torrent, "handed");
        await AwaitAssertAsync(async () => Assert.Equal((TorrentState.Seeding, torrent.Metainfo.PieceCount), ((await Status(actor)).State, (await Status(actor)).ResumedPieces)), Wait);
        Assert.Null(await Child(actor, TorrentChildren.JournalSupervisor));

        // The first write makes the journal, which goes on after the rows on disk.
        actor.Tell(new Pause("later"));
        await actor.Ask<JournalSynced>(new SyncJournal(), Wait);
        Assert.NotNull(await Child(actor, TorrentChildren.JournalSupervisor));
        this.StopAndWait(actor, Wait);

        var again = Start(torrent, "handed");
        await AwaitAssertAsync(
            async () =>
            {
                var status = await Status(again);
                Assert.Equal((TorrentState.Paused, "later", torrent.Metainfo.PieceCount), (status.State, status.Error, status.VerifiedPieces));
            },
            Wait);
    }

    private async Task<IActorRef?> Child(IActorRef actor, string name) =>
        (await Sys.ActorSelection(actor.Path / name).Ask<ActorIdentity>(new Identify(name), Wait)).Subject;

    private IActorRef Start(TestTorrent torrent, string journal, bool seedOnly = false) =>
        Sys.ActorOf(TorrentActor.Props(
            torrent.Metainfo,
            torrent.SeedDir,
            new TorrentOptions(SeedOnly: seedOnly),
            NodeContext.Create($"lifecycle-{Guid.NewGuid():N}", Settings, 0),
            $"lifecycle/{journal}"));

    private static Task<TorrentStatus> Status(IActorRef torrent) => torrent.Ask<TorrentStatus>(new GetStatus(), Wait);
}
