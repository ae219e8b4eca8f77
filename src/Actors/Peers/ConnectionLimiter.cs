namespace Swarm.Actors.Peers;

/// <summary>Node-wide caps on open peer connections and on connects in progress, shared by every torrent.</summary>
public sealed class ConnectionLimiter(int maxConnections, int maxHalfOpen)
{
    private int _open;
    private int _halfOpen;

    public bool TryOpen() => TryIncrement(ref _open, maxConnections);

    public void Close() => Interlocked.Decrement(ref _open);

    public bool TryBeginConnect() => TryIncrement(ref _halfOpen, maxHalfOpen);

    public void EndConnect() => Interlocked.Decrement(ref _halfOpen);

    /// <summary>An open-connection slot the caller already took with <see cref="TryOpen"/>, as a handle that gives it
    /// back once.</summary>
    public HeldSlot HeldOpen() => new(Close);

    /// <summary>A connect slot the caller already took with <see cref="TryBeginConnect"/>, as a handle that gives it
    /// back once.</summary>
    public HeldSlot HeldConnect() => new(EndConnect);

    private static bool TryIncrement(ref int counter, int max)
    {
        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current >= max)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref counter, current + 1, current) == current)
            {
                return true;
            }
        }
    }
}

/// <summary>One counted slot of a <see cref="ConnectionLimiter"/>, taken by a torrent for a connection and given back by
/// the connection exactly once, whichever of its endings (handshake done, stopped) comes first.</summary>
public sealed class HeldSlot(Action release)
{
    private int _released;

    public void Release()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            release();
        }
    }
}
