using System.Buffers;

namespace Swarm.Protocol.PeerWire;

/// <summary>Where the data of received piece messages lives: arrays from the shared pool when the block has a
/// power-of-two length (every block but a torrent's last), so a download does not allocate and zero a new 16 KiB array
/// per block. Whoever copies the block into its piece returns the array; a block dropped on the way is simply
/// collected.</summary>
public static class BlockBuffers
{
    private const int MinimumPooled = 1024;

    /// <summary>An array of exactly <paramref name="length"/> bytes, not cleared (the caller overwrites all of it);
    /// <c>pooled</c> says whether it must go back with <see cref="Return"/>.</summary>
    public static byte[] Rent(int length, out bool pooled)
    {
        // The pool hands out power-of-two arrays of at least 16 bytes: only such a length comes back exact.
        pooled = length >= MinimumPooled && (length & (length - 1)) == 0;
        return pooled ? ArrayPool<byte>.Shared.Rent(length) : GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>Gives back an array <see cref="Rent"/> pooled; nothing may read or write it afterwards.</summary>
    public static void Return(byte[] data) => ArrayPool<byte>.Shared.Return(data);
}
