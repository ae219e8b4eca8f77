using Swarm.Actors.Persistence;
using Swarm.Actors.Pieces;
using Xunit;

namespace Swarm.Actors.Tests.Persistence;

/// <summary>The one Apply of a torrent's journaled state, for every event it knows, without actors.</summary>
public sealed class TorrentJournalStateTests
{
    private static TorrentJournalState Empty => TorrentJournalState.Empty(12);

    [Fact]
    public void A_new_torrent_has_nothing_verified_and_is_not_paused()
    {
        Assert.Equal((12, 0, false, null), (Empty.PieceCount, Empty.VerifiedCount, Empty.Paused, Empty.PauseReason));
        Assert.Empty(Empty.VerifiedPieces());
    }

    [Fact]
    public void Created_files_add_up_survive_a_snapshot_and_a_pause_and_a_recheck()
    {
        var state = Empty.Apply(new TorrentFilesCreated([2, 0], ["d", "d/e"]))
            .Apply(new TorrentPaused("x"))
            .Apply(new TorrentFilesCreated([0, 5], ["d"]))
            .Apply(new PiecesRechecked([1]));

        Assert.Equal([0, 2, 5], state.CreatedFiles);
        Assert.Equal(["d", "d/e"], state.CreatedFolders);
        var back = Empty.Apply(state.ToSnapshot());
        Assert.Equal([0, 2, 5], back.CreatedFiles);
        Assert.Equal(["d", "d/e"], back.CreatedFolders);
        // A snapshot written before files were recorded: nothing known as created, so nothing is deleted.
        Assert.Empty(Empty.Apply(new TorrentSnapshot(12, new byte[2], false, null)).CreatedFiles);
    }

    [Fact]
    public void Verified_pieces_add_up_and_a_repeat_changes_nothing()
    {
        var state = Empty.Apply(new PiecesVerified([0, 3, 11])).Apply(new PiecesVerified([3, 7]));

        Assert.Equal([0, 3, 7, 11], state.VerifiedPieces());
        Assert.Equal(4, state.VerifiedCount);
        Assert.True(state.IsVerified(7));
        Assert.False(state.IsVerified(8));
    }

    [Fact]
    public void Pieces_outside_the_torrent_are_ignored()
    {
        var state = Empty.Apply(new PiecesVerified([-1, 2, 12, 400])).Apply(new PiecesRechecked([5, 99]));

        Assert.Equal([5], state.VerifiedPieces());
        Assert.False(state.IsVerified(-1));
        Assert.False(state.IsVerified(12));
    }

    [Fact]
    public void A_recheck_replaces_what_was_verified()
    {
        var state = Empty.Apply(new PiecesVerified([0, 1, 2, 3])).Apply(new PiecesRechecked([2, 9]));

        Assert.Equal([2, 9], state.VerifiedPieces());
        Assert.Equal(2, state.VerifiedCount);
    }

    [Fact]
    public void A_recheck_that_found_nothing_clears_every_piece()
    {
        Assert.Empty(Empty.Apply(new PiecesVerified([4, 5])).Apply(new PiecesRechecked([])).VerifiedPieces());
    }

    [Fact]
    public void Pause_keeps_its_reason_and_resume_clears_both()
    {
        var paused = Empty.Apply(new PiecesVerified([1])).Apply(new TorrentPaused("disk full"));
        Assert.Equal((true, "disk full"), (paused.Paused, paused.PauseReason));
        Assert.Equal([1], paused.VerifiedPieces());

        var resumed = paused.Apply(new TorrentResumed());
        Assert.Equal((false, null), (resumed.Paused, resumed.PauseReason));
        Assert.Equal([1], resumed.VerifiedPieces());
    }

    [Fact]
    public void Pausing_again_takes_the_new_reason()
    {
        var state = Empty.Apply(new TorrentPaused("first")).Apply(new TorrentPaused(null));
        Assert.Equal((true, null), (state.Paused, state.PauseReason));
    }

    [Fact]
    public void Apply_leaves_the_state_it_was_called_on_unchanged()
    {
        var before = Empty.Apply(new PiecesVerified([1]));
        before.Apply(new PiecesVerified([2])).Apply(new PiecesRechecked([])).Apply(new TorrentPaused("x"));

        Assert.Equal([1], before.VerifiedPieces());
        Assert.False(before.Paused);
    }

    [Fact]
    public void Events_of_other_journals_change_nothing()
    {
        var state = Empty.Apply(new PiecesVerified([3]));
        Assert.Same(state, state.Apply(new TorrentRemoved("ab")));
        Assert.Same(state, state.Apply(new RateLimitsChanged(null, 1, 2)));
    }

    [Fact]
    public void A_snapshot_round_trips_and_replaces_the_state()
    {
        var original = Empty.Apply(new PiecesVerified([0, 5, 8, 11])).Apply(new TorrentPaused("night"));
        var snapshot = original.ToSnapshot();

        var restored = TorrentJournalState.Empty(12).Apply(new PiecesVerified([1, 2])).Apply(snapshot);

        Assert.Equal(original.VerifiedPieces(), restored.VerifiedPieces());
        Assert.Equal((12, true, "night"), (restored.PieceCount, restored.Paused, restored.PauseReason));
    }

    [Fact]
    public void A_snapshot_reads_the_same_bitfield_as_the_rows_written_before_it()
    {
        // Snapshots on disk were written from PieceSet.ToBytes (BEP 3 order, high bit first): they must still read the same.
        var set = new PieceSet(12);
        foreach (var piece in new[] { 0, 7, 8, 11 })
        {
            set.Add(piece);
        }

        var restored = Empty.Apply(new TorrentSnapshot(12, set.ToBytes(), false, null));

        Assert.Equal([0, 7, 8, 11], restored.VerifiedPieces());
        Assert.Equal(set.ToBytes(), restored.ToSnapshot().Verified);
        Assert.Equal([0, 7, 8, 11], restored.ToPieceSet().Indices());
    }

    [Fact]
    public void A_snapshot_for_another_piece_count_is_not_trusted()
    {
        var state = Empty.Apply(new PiecesVerified([3]));
        var foreign = new TorrentSnapshot(64, new byte[8], true, "other");

        Assert.Same(state, state.Apply(foreign));
    }

    [Fact]
    public void Trailing_bits_and_a_short_bitfield_read_as_not_verified()
    {
        var restored = Empty.Apply(new TorrentSnapshot(12, [0xff], false, null));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], restored.VerifiedPieces());

        var padded = Empty.Apply(new TorrentSnapshot(12, [0x00, 0xff], false, null));
        Assert.Equal([8, 9, 10, 11], padded.VerifiedPieces());
        Assert.Equal(4, padded.VerifiedCount);
    }

    [Theory]
    [InlineData(100, 100, true)]
    [InlineData(200, 100, true)]
    [InlineData(99, 100, false)]
    [InlineData(101, 100, false)]
    [InlineData(5, 0, false)]
    public void Snapshots_are_due_every_n_rows(long sequenceNr, int every, bool due)
    {
        Assert.Equal(due, TorrentJournalState.SnapshotDue(sequenceNr, every));
    }
}
