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
