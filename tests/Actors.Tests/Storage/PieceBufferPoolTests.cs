using Swarm.Actors.Storage;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (footprint): the node-wide piece buffers, kept for reuse and let go by a trim.</summary>
public sealed class PieceBufferPoolTests
{
    [Fact]
    public void A_returned_buffer_is_rented_again_up_to_the_retained_count()
    {
        var pool = new PieceBufferPool(retainPerSize: 1);
        var a = pool.Rent(1 << 18);
        var b = pool.Rent(1 << 18);
        pool.Return(a);
        pool.Return(b); // past the retained count: left to the GC
        Assert.Same(a, pool.Rent(1 << 18));
        Assert.NotSame(b, pool.Rent(1 << 18));
    }

    [Fact]
    public void Trim_releases_every_retained_buffer_of_every_size_and_the_pool_still_works()
    {
        var pool = new PieceBufferPool(retainPerSize: 4);
        var small = pool.Rent(1 << 18);
        var large = pool.Rent(1 << 20);
        pool.Return(small);
        pool.Return(large);

        Assert.Equal((1 << 18) + (1 << 20), pool.Trim());
        Assert.Equal(0, pool.Trim());
        Assert.NotSame(small, pool.Rent(1 << 18));

        var again = pool.Rent(1 << 20);
        pool.Return(again);
        Assert.Same(again, pool.Rent(1 << 20));
    }
}
