using System.Collections.Concurrent;

namespace Swarm.Actors.Storage;

/// <summary>Node-wide pool of whole-piece buffers. Pieces are 256 KiB–16 MiB, so each buffer lives on the large
/// object heap, which only a full GC reclaims: recycling them keeps a long download's memory flat, where
/// ArrayPool.Shared (a few buffers per core) would overflow and allocate a new LOH array per piece.</summary>
public sealed class PieceBufferPool(int retainPerSize)
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<byte[]>> _free = new();

    public byte[] Rent(int pieceLength) =>
        _free.TryGetValue(pieceLength, out var bag) && bag.TryTake(out var buffer) ? buffer : GC.AllocateUninitializedArray<byte>(pieceLength);

    public void Return(byte[] buffer)
    {
        var bag = _free.GetOrAdd(buffer.Length, _ => []);
        if (bag.Count < retainPerSize)
        {
            bag.Add(buffer);
        }
    }

    /// <summary>Footprint (issue 14): lets go of every retained buffer, for a node that went quiet after a transfer
    /// (<see cref="MemoryTrimActor"/>); up to retainPerSize buffers of each piece size would otherwise stay resident
    /// for as long as the node runs. Buffers rented meanwhile come back into the pool as usual.</summary>
    /// <returns>The bytes released.</returns>
    public long Trim()
    {
        long released = 0;
        foreach (var bag in _free.Values)
        {
            while (bag.TryTake(out var buffer))
            {
                released += buffer.Length;
            }
        }

        return released;
    }
}
