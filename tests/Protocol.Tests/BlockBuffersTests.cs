using System.Buffers;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Protocol.Tests;

public sealed class BlockBuffersTests
{
    private static readonly PeerWireLimits Limits = new(MaxBlockLength: 16 * 1024, PieceCount: 10, MaxExtendedLength: 64 * 1024);

    private static PieceBlock Read(PieceBlock sent)
    {
        var written = new ArrayBufferWriter<byte>();
        PeerMessageWriter.Write(written, sent);
        var buffer = new ReadOnlySequence<byte>(written.WrittenMemory);
        Assert.True(PeerMessageReader.TryRead(ref buffer, Limits, out var message));
        return Assert.IsType<PieceBlock>(message);
    }

    [Fact]
    public void A_full_block_arrives_in_a_pooled_array_of_exactly_its_length()
    {
        var data = Enumerable.Range(0, 16 * 1024).Select(i => (byte)(i * 7)).ToArray();
        var block = Read(new PieceBlock(3, 16 * 1024, data));

        Assert.True(block.Pooled);
        Assert.Equal(data, block.Data);
        BlockBuffers.Return(block.Data);
    }

    [Fact]
    public void A_short_final_block_gets_an_array_of_its_own_that_is_not_pooled()
    {
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var block = Read(new PieceBlock(9, 0, data));

        Assert.False(block.Pooled);
        Assert.Equal(data, block.Data);
    }

    [Fact]
    public async Task Blocks_shorter_than_the_standard_come_back_from_a_pool_of_their_own_that_the_trim_empties()
    {
        // Issue 14 (piece count): a torrent of small pieces asks for blocks of their length. Rented on a connection's
        // reader thread and returned on a piece group's, they missed the shared pool and were allocated anew.
        const int length = 2048; // no other test uses this length
        const int count = 40;
        var rented = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            rented[i] = BlockBuffers.Rent(length, out var pooled);
            Assert.True(pooled);
        }

        await Task.Run(() => Array.ForEach(rented, BlockBuffers.Return));
        var again = Enumerable.Range(0, count).Select(_ => BlockBuffers.Rent(length, out bool _)).ToArray();

        Assert.All(again, a => Assert.Contains(a, rented, ReferenceEqualityComparer.Instance));
        Array.ForEach(again, BlockBuffers.Return);
        Assert.True(BlockBuffers.Trim() >= count * length);
        Assert.DoesNotContain(BlockBuffers.Rent(length, out bool _), rented, ReferenceEqualityComparer.Instance);
    }

    [Fact]
    public void A_rented_array_is_never_longer_than_asked()
    {
        foreach (var length in new[] { 1, 2, 1024, 16 * 1024, 3, 16 * 1024 - 1 })
        {
            var array = BlockBuffers.Rent(length, out var pooled);
            Assert.Equal(length, array.Length);
            if (pooled)
            {
                BlockBuffers.Return(array);
            }
        }
    }
}

public sealed class BlockArrayPoolTests
{
    [Fact]
    public void A_returned_array_is_the_next_one_rented()
    {
        var pool = new BlockArrayPool(16 * 1024, 4);
        var first = pool.Rent();
        pool.Return(first);

        Assert.Same(first, pool.Rent());
        Assert.NotSame(first, pool.Rent()); // the pool is empty again: a new array
        Assert.Equal(0, pool.Retained);
    }

    [Fact]
    public void It_keeps_at_most_its_bound_and_trim_lets_go_of_them()
    {
        var pool = new BlockArrayPool(1024, 3);
        var arrays = Enumerable.Range(0, 5).Select(_ => pool.Rent()).ToList();
        Assert.All(arrays, a => Assert.Equal(1024, a.Length));
        foreach (var array in arrays)
        {
            pool.Return(array);
        }

        Assert.Equal(3, pool.Retained);
        Assert.Equal(3 * 1024, pool.Trim());
        Assert.Equal(0, pool.Retained);
        var fresh = pool.Rent();
        Assert.DoesNotContain(arrays, a => ReferenceEquals(a, fresh));
    }

    [Fact]
    public void An_array_of_another_length_is_refused()
    {
        var pool = new BlockArrayPool(1024, 3);

        Assert.Throws<ArgumentException>(() => pool.Return(new byte[2048]));
        Assert.Equal(0, pool.Retained);
    }
}
