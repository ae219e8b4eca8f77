using System.Buffers;
using System.Numerics;

namespace Swarm.Protocol.PeerWire;

/// <summary>Where the data of received piece messages lives: arrays from a pool when the block has a power-of-two
/// length (every block but a torrent's last), so a download does not allocate and zero a new 16 KiB array per block.
/// Whoever copies the block into its piece returns the array; a block dropped on the way is simply collected.</summary>
public static class BlockBuffers
{
    /// <summary>The block length every client asks for (BEP 3's 16 KiB): such arrays have a pool of their own.</summary>
    public const int StandardLength = 16 * 1024;

    /// <summary>Standard arrays kept for reuse at most (8 MiB). Issue 14: the shared pool keeps 32 arrays of a size per
    /// core; a connection's blocks are rented on its reader's thread and returned on piece actors' threads, and a few
    /// hundred can be in flight at once (batches in the connection's mailbox, then in the torrent's and the pieces'), so
    /// about one block in five missed it and allocated a new array: ~200 MB of garbage per GiB received. Blocks in
    /// flight are resident anyway; this keeps them for the next ones.</summary>
    public const int MaxRetained = 512;

    private const int MinimumPooled = 1024;

    private const int MinimumPooledShift = 10; // log2(MinimumPooled)

    private const int StandardShift = 14; // log2(StandardLength)

    /// <summary>Issue 14 (piece count): the pools of the power-of-two lengths below the standard block (a torrent of
    /// 4 KiB pieces asks for 4 KiB blocks), indexed by log2(length) - 10, each made at its first use and keeping
    /// <see cref="MaxRetained"/> arrays at most (what is in flight counts in blocks, not bytes). Those blocks used
    /// the shared pool, which misses when a block is rented on a reader's thread and returned on a piece group's (see
    /// <see cref="MaxRetained"/>): four times the blocks per byte, each a new array to allocate and collect.</summary>
    private static readonly BlockArrayPool?[] SmallPools = new BlockArrayPool?[StandardShift - MinimumPooledShift];

    /// <summary>The pool of standard arrays (the node's memory trim empties it).</summary>
    public static BlockArrayPool Standard { get; } = new(StandardLength, MaxRetained);

    /// <summary>An array of exactly <paramref name="length"/> bytes, not cleared (the caller overwrites all of it);
    /// <c>pooled</c> says whether it must go back with <see cref="Return"/>.</summary>
    public static byte[] Rent(int length, out bool pooled)
    {
        // The shared pool hands out power-of-two arrays of at least 16 bytes: only such a length comes back exact.
        pooled = length >= MinimumPooled && (length & (length - 1)) == 0;
        if (!pooled)
        {
            return GC.AllocateUninitializedArray<byte>(length);
        }

        return PoolOf(length)?.Rent() ?? ArrayPool<byte>.Shared.Rent(length);
    }

    /// <summary>Gives back an array <see cref="Rent"/> pooled; nothing may read or write it afterwards.</summary>
    public static void Return(byte[] data)
    {
        if (PoolOf(data.Length) is { } pool)
        {
            pool.Return(data);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }

    /// <summary>Lets go of every array the block pools hold (the node's memory trim); returns the bytes released.</summary>
    public static long Trim()
    {
        var released = Standard.Trim();
        foreach (var pool in SmallPools)
        {
            released += pool?.Trim() ?? 0;
        }

        return released;
    }

    /// <summary>The pool of a power-of-two length from <see cref="MinimumPooled"/> to <see cref="StandardLength"/>;
    /// null for any other length (the shared pool's).</summary>
    private static BlockArrayPool? PoolOf(int length)
    {
        if (length == StandardLength)
        {
            return Standard;
        }

        if (length < MinimumPooled || length > StandardLength || (length & (length - 1)) != 0)
        {
            return null;
        }

        var i = BitOperations.Log2((uint)length) - MinimumPooledShift;
        var pool = Volatile.Read(ref SmallPools[i]);
        if (pool is null)
        {
            var made = new BlockArrayPool(length, MaxRetained);
            pool = Interlocked.CompareExchange(ref SmallPools[i], made, null) ?? made;
        }

        return pool;
    }
}
