using Swarm.Actors.Storage;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (footprint): the node-wide piece buffers, kept for reuse up to a byte bound and let go by a trim.</summary>
public sealed class PieceBufferPoolTests
{
    [Fact]
    public void A_returned_buffer_is_rented_again_up_to_the_retained_bytes()
    {
        var pool = new PieceBufferPool(retainBytes: 1 << 18);
        var a = pool.Rent(1 << 18);
        var b = pool.Rent(1 << 18);
        pool.Return(a);
        pool.Return(b); // past the retained bytes: left to the GC
        Assert.Equal(1 << 18, pool.RetainedBytes);
        Assert.Same(a, pool.Rent(1 << 18));
        Assert.Equal(0, pool.RetainedBytes);
        Assert.NotSame(b, pool.Rent(1 << 18));
    }

    [Fact]
    public void The_bound_counts_the_bytes_of_every_piece_size_together()
    {
        // Two sizes under one bound: a large buffer no longer fits beside what is kept, a small one still does.
        var pool = new PieceBufferPool(retainBytes: (1 << 20) + (1 << 18));
        var large = pool.Rent(1 << 20);
        var small = pool.Rent(1 << 18);
        var secondLarge = pool.Rent(1 << 20);
        pool.Return(large);
        pool.Return(secondLarge); // 2 MiB would pass the bound
        pool.Return(small);

        Assert.Equal((1 << 20) + (1 << 18), pool.RetainedBytes);
        Assert.Same(large, pool.Rent(1 << 20));
        Assert.Same(small, pool.Rent(1 << 18));
        Assert.NotSame(secondLarge, pool.Rent(1 << 20));
    }

    [Fact]
    public void Trim_releases_every_retained_buffer_of_every_size_and_the_pool_still_works()
    {
        var pool = new PieceBufferPool(retainBytes: 4 << 20);
        var small = pool.Rent(1 << 18);
        var large = pool.Rent(1 << 20);
        pool.Return(small);
        pool.Return(large);

        Assert.Equal((1 << 18) + (1 << 20), pool.Trim());
        Assert.Equal(0, pool.RetainedBytes);
        Assert.Equal(0, pool.Trim());
        Assert.NotSame(small, pool.Rent(1 << 18));

        var again = pool.Rent(1 << 20);
        pool.Return(again);
        Assert.Same(again, pool.Rent(1 << 20));
    }
}
