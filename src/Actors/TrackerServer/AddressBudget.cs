using System.Net;

namespace Swarm.Actors.TrackerServer;

/// <summary>Room counted per source address (peers remembered, torrents created), so that one address meets its own
/// bound long before the tracker-wide one: a flood from one machine cannot lock every other out. Shared by the
/// tracked-torrent actors, hence locked; an address whose count drops to zero is forgotten. Keyed by the packed
/// <see cref="PeerAddress"/>: about 36 bytes an address, no object per address.</summary>
public sealed class AddressBudget(int maxPerAddress)
{
    private readonly Dictionary<PeerAddress, int> _used = [];
    private readonly Lock _gate = new();

    /// <summary>Addresses holding room right now.</summary>
    public int Addresses
    {
        get
        {
            lock (_gate)
            {
                return _used.Count;
            }
        }
    }

    public int UsedBy(IPAddress address) => UsedBy(PeerAddress.From(address));

    public int UsedBy(PeerAddress address)
    {
        lock (_gate)
        {
            return _used.GetValueOrDefault(address);
        }
    }

    public bool TryTake(IPAddress address) => TryTake(PeerAddress.From(address));

    public bool TryTake(PeerAddress key)
    {
        lock (_gate)
        {
            var used = _used.GetValueOrDefault(key);
            if (used >= maxPerAddress)
            {
                return false;
            }

            _used[key] = used + 1;
            return true;
        }
    }

    public void Give(IPAddress address, int count = 1) => Give(PeerAddress.From(address), count);

    public void Give(PeerAddress key, int count = 1)
    {
        lock (_gate)
        {
            var left = _used.GetValueOrDefault(key) - count;
            if (left > 0)
            {
                _used[key] = left;
            }
            else
            {
                _used.Remove(key);
            }
        }
    }
}
