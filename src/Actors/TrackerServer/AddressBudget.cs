using System.Net;

namespace Swarm.Actors.TrackerServer;

/// <summary>Room counted per source address (peers remembered, torrents created), so that one address meets its own
/// bound long before the tracker-wide one: a flood from one machine cannot lock every other out. Shared by the
/// tracked-torrent actors, hence locked; an address whose count drops to zero is forgotten.</summary>
public sealed class AddressBudget(int maxPerAddress)
{
    private readonly Dictionary<IPAddress, int> _used = [];
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

    public int UsedBy(IPAddress address)
    {
        lock (_gate)
        {
            return _used.GetValueOrDefault(Key(address));
        }
    }

    public bool TryTake(IPAddress address)
    {
        var key = Key(address);
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

    public void Give(IPAddress address, int count = 1)
    {
        var key = Key(address);
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

    // An IPv4 client is one address whether its request arrived on an IPv4 or a dual-mode IPv6 socket.
    private static IPAddress Key(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
