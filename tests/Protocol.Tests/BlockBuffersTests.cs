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
