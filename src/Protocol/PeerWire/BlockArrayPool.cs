namespace Swarm.Protocol.PeerWire;

/// <summary>A pool of arrays of one length, keeping at most <paramref name="maxRetained"/> of them: what
/// <see cref="BlockBuffers"/> keeps the standard 16 KiB blocks in. A lock around an array-backed stack: renting and
/// returning allocate nothing, and the lock is taken once per 16 KiB.</summary>
/// <param name="length">The length of every array rented and returned.</param>
/// <param name="maxRetained">Arrays kept for reuse at most; one returned past it is left to the GC.</param>
public sealed class BlockArrayPool(int length, int maxRetained)
{
    private readonly Lock _gate = new();
    private readonly Stack<byte[]> _free = new(maxRetained);

    public int Length => length;

    /// <summary>Arrays held for reuse now.</summary>
    public int Retained
    {
        get
        {
            lock (_gate)
            {
                return _free.Count;
            }
        }
    }

    /// <summary>An array of <see cref="Length"/> bytes, not cleared: one given back before, or a new one.</summary>
    public byte[] Rent()
    {
        lock (_gate)
        {
            if (_free.TryPop(out var array))
            {
                return array;
            }
        }

        return GC.AllocateUninitializedArray<byte>(length);
    }

    /// <summary>Keeps <paramref name="array"/> for the next <see cref="Rent"/> unless the pool is full.</summary>
    public void Return(byte[] array)
    {
        if (array.Length != length)
        {
            throw new ArgumentException($"an array of {array.Length} bytes returned to a pool of {length}-byte arrays", nameof(array));
        }

        lock (_gate)
        {
            if (_free.Count < maxRetained)
            {
                _free.Push(array);
            }
        }
    }

    /// <summary>Lets go of every array held; returns the bytes released.</summary>
    public long Trim()
    {
        lock (_gate)
        {
            var released = (long)_free.Count * length;
            _free.Clear();
            return released;
        }
    }
}
