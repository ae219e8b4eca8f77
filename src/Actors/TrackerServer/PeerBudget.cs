namespace Swarm.Actors.TrackerServer;

/// <summary>Peers counted across every swarm of one tracker, so that a flood of distinct peers (or of torrents)
/// meets one global bound instead of exhausting memory. Shared by the tracked-torrent actors, hence atomic.</summary>
public sealed class PeerBudget(int max)
{
    private int _used;

    public int Used => Volatile.Read(ref _used);

    public bool TryTake()
    {
        if (Interlocked.Increment(ref _used) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref _used);
        return false;
    }

    public void Give(int count) => Interlocked.Add(ref _used, -count);
}
