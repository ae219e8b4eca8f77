using System.Collections.Concurrent;

namespace Swarm.Actors.Storage;

/// <summary>Node-wide pool of whole-piece buffers. Pieces are 256 KiB–16 MiB, so each buffer lives on the large
/// object heap, which only a full GC reclaims: recycling them keeps a long download's memory flat, where
/// ArrayPool.Shared (a few buffers per core) would overflow and allocate a new LOH array per piece.
/// Footprint (issue 14): what it keeps is bounded in bytes over all piece sizes (storage.piece-buffer-bytes-retained),
/// not in buffers per size: 64 buffers of 16 MiB pieces would have been a GiB kept for the node's life.</summary>
/// <param name="retainBytes">Bytes of idle buffers kept at most; a buffer returned past it is left to the GC.</param>
public sealed class PieceBufferPool(long retainBytes)
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<byte[]>> _free = new();
    private long _retained;

    /// <summary>Bytes of idle buffers the pool holds now.</summary>
    public long RetainedBytes => Interlocked.Read(ref _retained);

    public byte[] Rent(int pieceLength)
    {
        if (_free.TryGetValue(pieceLength, out var bag) && bag.TryTake(out var buffer))
        {
            Interlocked.Add(ref _retained, -buffer.Length);
            return buffer;
        }

        return GC.AllocateUninitializedArray<byte>(pieceLength);
    }

    public void Return(byte[] buffer)
    {
        // Counted before it is added, so concurrent returns never keep more than the bound between them.
        if (Interlocked.Add(ref _retained, buffer.Length) > retainBytes)
        {
            Interlocked.Add(ref _retained, -buffer.Length);
            return;
        }

        _free.GetOrAdd(buffer.Length, _ => []).Add(buffer);
    }

    /// <summary>Footprint (issue 14): lets go of every retained buffer, for a node that went quiet after a transfer
    /// (<see cref="MemoryTrimActor"/>); what the pool keeps would otherwise stay resident for as long as the node runs.
    /// Buffers rented meanwhile come back into the pool as usual.</summary>
    /// <returns>The bytes released.</returns>
    public long Trim()
    {
        long released = 0;
        foreach (var bag in _free.Values)
        {
            while (bag.TryTake(out var buffer))
            {
                Interlocked.Add(ref _retained, -buffer.Length);
                released += buffer.Length;
            }
        }

        return released;
    }
}
