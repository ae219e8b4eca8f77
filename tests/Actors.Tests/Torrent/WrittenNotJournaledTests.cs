using Akka.Actor;
using Swarm.Actors.Persistence;
using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Persistence.TorrentJournalMessages;
using static Swarm.Actors.Torrent.TorrentMessages;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>A torrent restarted after a kill -9: pieces written to disk but never journaled are hashed at start-up,
/// kept when they match (and journaled), fetched again when they don't.</summary>
public sealed class WrittenNotJournaledTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private const int PieceLength = 16 << 10;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Pieces_on_disk_the_journal_lacks_come_back_verified_and_a_corrupt_one_does_not()
    {
        using var torrent = new TestTorrent(length: 32 * PieceLength, pieceLength: PieceLength);
        var dir = torrent.NewDir("out");
        Journal("written/a", new PiecesVerified([0, 1]));

        // What a kill leaves behind: 0 and 1 journaled; 2, 3 and 7 written after the last journal row; 9 written
        // wrong (as if the disk had rotted or another program wrote there); 12 half written; the rest holes.
        var storage = new TorrentStorage(torrent.Metainfo, dir, new FileHandlePool(4));
        storage.Prepare();
        foreach (var piece in new[] { 0, 1, 2, 3, 7 })
        {
            storage.Write(piece, Piece(torrent, piece));
        }

        var corrupt = Piece(torrent, 9);
        corrupt[^1] ^= 0x01;
        storage.Write(9, corrupt);
        storage.Write(12, Piece(torrent, 12).AsSpan(0, PieceLength / 2));

        // Only the five pieces with data are hashed, not the 25 holes.
        var actor = Start(torrent, dir, "written/a");
        await EventFilter.Info(contains: "hashed 5 piece(s) found on disk but not in the journal (written before the last stop): 3 verified, 2 to fetch again").ExpectOneAsync(
            () => AwaitAssertAsync(
                async () =>
                {
                    var details = await actor.Ask<TorrentDetails>(new GetDetails(), Wait);
                    Assert.Equal(TorrentState.Downloading, details.Status.State);
                    Assert.Equal([0, 1, 2, 3, 7], PieceSet.FromBytes(details.Bitfield, torrent.Metainfo.PieceCount).Indices());
                    Assert.Equal(2, details.Status.ResumedPieces);
                },
                Wait));

        // Journaled as any written piece is: the next start trusts them without hashing, and still not the corrupt one.
        await actor.Ask<JournalSynced>(new SyncJournal(), Wait);
        this.StopAndWait(actor, Wait);
        Assert.Equal([0, 1, 2, 3, 7], Recover("written/a").VerifiedPieces());
    }

    [Fact]
    public async Task A_journal_that_knows_every_written_piece_hashes_nothing()
    {
        using var torrent = new TestTorrent(length: 32 * PieceLength, pieceLength: PieceLength);
        var dir = torrent.NewDir("out");
        Journal("written/b", new PiecesRechecked([4]));
        var storage = new TorrentStorage(torrent.Metainfo, dir, new FileHandlePool(4));
        storage.Prepare();
        storage.Write(4, Piece(torrent, 4));

        // Neither the journaled piece nor the 31 holes.
        var actor = Start(torrent, dir, "written/b");
        await EventFilter.Info(contains: "found on disk but not in the journal").ExpectAsync(
            0,
            () => AwaitAssertAsync(
                async () =>
                {
                    var status = await actor.Ask<TorrentStatus>(new GetStatus(), Wait);
                    Assert.Equal((TorrentState.Downloading, 1, 1), (status.State, status.VerifiedPieces, status.ResumedPieces));
                },
                Wait));
    }

    private static byte[] Piece(TestTorrent torrent, int piece) => torrent.Content.AsSpan(piece * PieceLength, PieceLength).ToArray();

    /// <summary>A journal history written by an earlier incarnation.</summary>
    private void Journal(string id, IPersistedEvent e)
    {
        var journal = Sys.ActorOf(TorrentJournalActor.Props(id, 32, TestActor, snapshotEvery: 100));
        ExpectMsg<JournalRecovered>(Wait);
        journal.Tell(new WriteJournalEvent(1, e));
        ExpectMsg<JournalEventWritten>(Wait);
        this.StopAndWait(journal, Wait);
    }

    private TorrentJournalState Recover(string id)
    {
        var journal = Sys.ActorOf(TorrentJournalActor.Props(id, 32, TestActor, snapshotEvery: 100));
        var recovered = ExpectMsg<JournalRecovered>(Wait);
        this.StopAndWait(journal, Wait);
        return recovered.State;
    }

    private IActorRef Start(TestTorrent torrent, string dir, string journal) =>
        Sys.ActorOf(TorrentActor.Props(
            torrent.Metainfo,
            dir,
            new TorrentOptions(),
            NodeContext.Create($"written-{Guid.NewGuid():N}", TestNodes.Settings, 0),
            journal));
}
