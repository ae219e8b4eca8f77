using Swarm.Actors.Persistence;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Xunit;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>The torrent's journal outbox on a hand-moved clock: batches, confirmations, resends.</summary>
public sealed class JournalOutboxTests
{
    private static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(5);
    private readonly ManualClock _clock = new();

    [Fact]
    public void Each_event_gets_the_next_id_and_waits_for_its_confirmation()
    {
        var (outbox, first) = JournalOutbox.Empty.Send(new TorrentPaused("x"), _clock.GetUtcNow());
        (outbox, var second) = outbox.Send(new TorrentResumed(), _clock.GetUtcNow());

        Assert.Equal((1, 2), (first.Id, second.Id));
        Assert.IsType<TorrentResumed>(second.Event);
        Assert.False(outbox.Synced);
        Assert.True(outbox.NeedsTick);

        outbox = outbox.Confirmed(1).Confirmed(2);
        Assert.True(outbox.Synced);
        Assert.False(outbox.NeedsTick);
    }

    [Fact]
    public void The_lag_counts_what_waits_and_ages_with_the_oldest_unconfirmed_write()
    {
        Assert.Equal((0, TimeSpan.Zero), (JournalOutbox.Empty.Pending, JournalOutbox.Empty.OldestWait(_clock.GetUtcNow())));
        var (outbox, first) = JournalOutbox.Empty.Send(new PiecesVerified([1]), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(3));
        (outbox, _) = outbox.Send(new PiecesVerified([2]), _clock.GetUtcNow());
        outbox = outbox.PieceWritten(7);
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal((3, TimeSpan.FromSeconds(5)), (outbox.Pending, outbox.OldestWait(_clock.GetUtcNow())));

        outbox = outbox.Confirmed(first.Id);
        Assert.Equal((2, TimeSpan.FromSeconds(2)), (outbox.Pending, outbox.OldestWait(_clock.GetUtcNow())));
    }

    [Fact]
    public void Nothing_is_resent_before_resend_after_has_passed()
    {
        var (outbox, _) = JournalOutbox.Empty.Send(new PiecesVerified([1]), _clock.GetUtcNow());
        _clock.Advance(ResendAfter);

        var (after, writes) = outbox.Resend(_clock.GetUtcNow(), ResendAfter);

        Assert.Empty(writes);
        Assert.Same(outbox, after);
    }

    [Fact]
    public void An_unconfirmed_event_is_resent_with_its_id_then_waits_again()
    {
        var (outbox, _) = JournalOutbox.Empty.Send(new PiecesVerified([1]), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(2));
        (outbox, _) = outbox.Send(new PiecesVerified([2]), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(3.5));

        (outbox, var writes) = outbox.Resend(_clock.GetUtcNow(), ResendAfter);
        var resent = Assert.Single(writes);
        Assert.Equal(1, resent.Id);
        Assert.Equal([1], Assert.IsType<PiecesVerified>(resent.Event).Pieces);

        // Resent counts as sent now: the first goes again only after another full window, the second when its own runs out.
        _clock.Advance(TimeSpan.FromSeconds(2));
        (outbox, writes) = outbox.Resend(_clock.GetUtcNow(), ResendAfter);
        Assert.Equal([2L], writes.Select(w => w.Id));
        _clock.Advance(TimeSpan.FromSeconds(3.1));
        (_, writes) = outbox.Resend(_clock.GetUtcNow(), ResendAfter);
        Assert.Equal([1L], writes.Select(w => w.Id));
    }

    [Fact]
    public void Stale_events_are_resent_in_the_order_they_were_first_sent()
    {
        var outbox = JournalOutbox.Empty;
        foreach (var e in new IPersistedEvent[] { new TorrentPaused("a"), new TorrentResumed(), new TorrentPaused("b") })
        {
            (outbox, _) = outbox.Send(e, _clock.GetUtcNow());
        }

        outbox = outbox.Confirmed(2);
        _clock.Advance(TimeSpan.FromMinutes(1));

        var (_, writes) = outbox.Resend(_clock.GetUtcNow(), ResendAfter);
        Assert.Equal([1L, 3L], writes.Select(w => w.Id));
        Assert.Equal(new IPersistedEvent[] { new TorrentPaused("a"), new TorrentPaused("b") }, outbox.PendingEvents);
    }

    [Fact]
    public void A_confirmed_event_is_never_resent()
    {
        var (outbox, write) = JournalOutbox.Empty.Send(new PiecesVerified([1]), _clock.GetUtcNow());
        outbox = outbox.Confirmed(write.Id);
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(outbox.Resend(_clock.GetUtcNow(), ResendAfter).Writes);
    }

    [Fact]
    public void Written_pieces_are_flushed_as_one_batch_at_a_time()
    {
        var outbox = JournalOutbox.Empty.PieceWritten(4).PieceWritten(9);
        Assert.True(outbox.NeedsTick);
        Assert.False(outbox.Synced);

        (outbox, var batch) = outbox.TakeBatch();
        Assert.Equal([4, 9], batch);
        Assert.True(outbox.Flushing);

        // While that batch is flushed, newly written pieces wait for the next one.
        outbox = outbox.PieceWritten(10);
        Assert.Empty(outbox.TakeBatch().Batch);
        Assert.False(outbox.Synced);

        outbox = outbox.BatchFlushed();
        (outbox, batch) = outbox.TakeBatch();
        Assert.Equal([10], batch);
        outbox = outbox.BatchFlushed();
        Assert.True(outbox.Synced);
    }

    [Fact]
    public void A_batch_is_due_by_written_bytes_whatever_the_piece_size()
    {
        // 16 KiB in 1 KiB pieces is not due with a 64 KiB budget; 64 KiB in 1 KiB pieces is, as one 64 KiB piece is.
        var small = JournalOutbox.Empty;
        for (var piece = 0; piece < 16; piece++)
        {
            small = small.PieceWritten(piece, 1024);
        }

        Assert.False(small.BatchDue(maxPieces: 16384, maxBytes: 64 * 1024));
        for (var piece = 16; piece < 64; piece++)
        {
            small = small.PieceWritten(piece, 1024);
        }

        Assert.True(small.BatchDue(maxPieces: 16384, maxBytes: 64 * 1024));
        Assert.True(JournalOutbox.Empty.PieceWritten(0, 64 * 1024).BatchDue(maxPieces: 16384, maxBytes: 64 * 1024));

        // The piece count still caps a journal row, and a taken batch starts counting again.
        Assert.True(JournalOutbox.Empty.PieceWritten(1, 1).PieceWritten(2, 1).BatchDue(maxPieces: 2, maxBytes: long.MaxValue));
        var (taken, _) = small.TakeBatch();
        Assert.Equal(0, taken.UnflushedBytes);
        Assert.Equal(0, small.DropUnflushed().UnflushedBytes);
    }

    [Fact]
    public void A_batch_holds_the_pieces_in_the_order_they_were_written()
    {
        var outbox = JournalOutbox.Empty;
        int[] written = [9, 2, 40000, 3, 7];
        foreach (var piece in written)
        {
            outbox = outbox.PieceWritten(piece, 1024);
        }

        Assert.Equal((5, 5 * 1024L), (outbox.UnflushedCount, outbox.UnflushedBytes));
        (outbox, var batch) = outbox.TakeBatch();
        Assert.Equal(written, batch);
        Assert.Equal((0, 0L), (outbox.UnflushedCount, outbox.UnflushedBytes));
    }

    [Fact]
    public void Runs_of_written_pieces_are_batched_piece_by_piece_in_the_order_they_were_written()
    {
        // Issue 14 (piece count): a run is recorded at once, and one that continues the newest joins it.
        var outbox = JournalOutbox.Empty.PiecesWritten(3, 2, 2048).PieceWritten(5, 1024).PiecesWritten(9, 1, 1024)
            .PiecesWritten(1, 2, 2048).PiecesWritten(8, 0, 0).PiecesWritten(3, 1, 1024);

        Assert.Equal((7, 7 * 1024L), (outbox.UnflushedCount, outbox.UnflushedBytes));
        Assert.True(outbox.BatchDue(maxPieces: 7, maxBytes: long.MaxValue));
        Assert.False(outbox.BatchDue(maxPieces: 8, maxBytes: long.MaxValue));
        (outbox, var batch) = outbox.TakeBatch();
        Assert.Equal([3, 4, 5, 9, 1, 2, 3], batch);
        Assert.Equal((0, 0L), (outbox.UnflushedCount, outbox.UnflushedBytes));
    }

    [Fact]
    public void Nothing_to_flush_takes_an_empty_batch_and_starts_no_flush()
    {
        var (outbox, batch) = JournalOutbox.Empty.TakeBatch();
        Assert.Empty(batch);
        Assert.False(outbox.Flushing);
        Assert.True(outbox.Synced);
    }

    [Fact]
    public void A_recheck_drops_pieces_not_yet_flushed()
    {
        var outbox = JournalOutbox.Empty.PieceWritten(1).PieceWritten(2).DropUnflushed();
        Assert.Equal(0, outbox.UnflushedCount);
        Assert.Empty(outbox.TakeBatch().Batch);
        Assert.True(outbox.Synced);
    }

    [Fact]
    public void A_failure_is_shown_until_a_write_is_confirmed()
    {
        var (outbox, write) = JournalOutbox.Empty.Send(new PiecesVerified([1]), _clock.GetUtcNow());
        outbox = outbox.Failed("journal write failed: disk I/O error");
        Assert.Equal("journal write failed: disk I/O error", outbox.Error);

        Assert.Null(outbox.Confirmed(write.Id).Error);
    }
}
