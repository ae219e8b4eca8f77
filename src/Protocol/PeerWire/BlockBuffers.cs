using System.Buffers;

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

        return length == StandardLength ? Standard.Rent() : ArrayPool<byte>.Shared.Rent(length);
    }

    /// <summary>Gives back an array <see cref="Rent"/> pooled; nothing may read or write it afterwards.</summary>
    public static void Return(byte[] data)
    {
        if (data.Length == StandardLength)
        {
            Standard.Return(data);
        }
        else
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }
}
