using Swarm.Actors.Storage;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Drop-behind keeps the newest flushed bytes up to its limit and names the oldest flushed pieces past it,
/// in flush order; off, it names none.</summary>
public sealed class CacheWindowTests
{
    private const long Piece = 256 * 1024;

    [Fact]
    public void Keeps_the_newest_flushed_bytes_and_drops_the_oldest_past_the_limit()
    {
        var window = CacheWindow.Create(3 * Piece);

        (window, var drop) = window.Flushed([5, 1], _ => Piece);
        Assert.Empty(drop);
        Assert.Equal(2 * Piece, window.KeptBytes);

        (window, drop) = window.Flushed([9, 2, 7], _ => Piece);
        Assert.Equal([5, 1], drop); // flush order, not piece order
        Assert.Equal(3 * Piece, window.KeptBytes);

        (window, drop) = window.Flushed([3], _ => Piece);
        Assert.Equal([9], drop);
        Assert.Equal(3 * Piece, window.KeptBytes);
    }

    [Fact]
    public void A_short_last_piece_counts_its_own_size()
    {
        var window = CacheWindow.Create(Piece + 100);

        (window, var drop) = window.Flushed([0, 4], p => p == 4 ? 100 : Piece);

        Assert.Empty(drop);
        Assert.Equal(Piece + 100, window.KeptBytes);
        (window, drop) = window.Flushed([1], _ => Piece);
        Assert.Equal([0], drop); // the short piece and the new one fit
        Assert.Equal(Piece + 100, window.KeptBytes);
    }

    [Fact]
    public void A_zero_limit_drops_every_flushed_piece_at_once()
    {
        var (window, drop) = CacheWindow.Create(0).Flushed([3, 4], _ => Piece);

        Assert.Equal([3, 4], drop);
        Assert.Equal(0, window.KeptBytes);
    }

    [Fact]
    public void Off_drops_nothing()
    {
        var window = CacheWindow.Create(-1);
        for (var i = 0; i < 100; i++)
        {
            (window, var drop) = window.Flushed([i], _ => Piece);
            Assert.Empty(drop);
        }
    }

    [Fact]
    public void Runs_merge_consecutive_pieces_in_ascending_order()
    {
        Assert.Equal([(1, 3), (7, 1), (9, 2)], CacheWindow.Runs([9, 2, 1, 10, 3, 7, 2]));
        Assert.Empty(CacheWindow.Runs([]));
    }

    [Fact]
    public void Consecutive_small_pieces_are_kept_as_one_run_and_dropped_from_its_front()
    {
        const long small = 4096;
        var window = CacheWindow.Create(10 * small);

        (window, var drop) = window.Flushed(Enumerable.Range(0, 16), _ => small);
        Assert.Equal(Enumerable.Range(0, 6), drop); // the oldest six, as piece by piece
        Assert.Equal(10 * small, window.KeptBytes);
        Assert.Equal(1, window.KeptRuns); // one entry for 6-15, not ten

        (window, drop) = window.Flushed([16, 17, 18, 19, 40], _ => small);
        Assert.Equal(Enumerable.Range(6, 5), drop);
        Assert.Equal(10 * small, window.KeptBytes);
        Assert.Equal(3, window.KeptRuns); // 11-15, 16-19, 40

        (window, drop) = window.Flushed([41], _ => 9 * small);
        Assert.Equal([11, 12, 13, 14, 15, 16, 17, 18, 19], drop); // a whole run, then the next whole
        Assert.Equal(10 * small, window.KeptBytes);
    }
}
