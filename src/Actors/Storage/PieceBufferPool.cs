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
}
