using System.Net;

namespace Swarm.Actors.TrackerServer;

/// <summary>Room counted per source address (peers remembered, torrents created), so that one address meets its own
/// bound long before the tracker-wide one: a flood from one machine cannot lock every other out. Shared by the
/// tracked-torrent actors, hence locked; an address whose count drops to zero is forgotten. An IPv4 address is keyed by
/// its 4 bytes (about 20 bytes an address in the dictionary, 32 with the 16-byte <see cref="PeerAddress"/> key): a
/// tracker's peers mostly come from distinct IPv4 addresses, so this costs about as much a peer as the peer itself.
/// IPv6 addresses keep the packed 16 bytes. No object per address.</summary>
public sealed class AddressBudget(int maxPerAddress)
{
    private readonly Dictionary<uint, int> _v4 = [];
    private readonly Dictionary<PeerAddress, int> _v6 = [];
    private readonly Lock _gate = new();

    /// <summary>Addresses holding room right now.</summary>
    public int Addresses
    {
        get
        {
            lock (_gate)
            {
                return _v4.Count + _v6.Count;
            }
        }
    }

    public int UsedBy(IPAddress address) => UsedBy(PeerAddress.From(address));

    public int UsedBy(PeerAddress address)
    {
        lock (_gate)
        {
            return address.IsV4 ? _v4.GetValueOrDefault(address.V4) : _v6.GetValueOrDefault(address);
        }
    }

    public bool TryTake(IPAddress address) => TryTake(PeerAddress.From(address));

    public bool TryTake(PeerAddress key)
    {
        lock (_gate)
        {
            return key.IsV4 ? TryTake(_v4, key.V4) : TryTake(_v6, key);
        }
    }

    public void Give(IPAddress address, int count = 1) => Give(PeerAddress.From(address), count);

    public void Give(PeerAddress key, int count = 1)
    {
        lock (_gate)
        {
            if (key.IsV4)
            {
                Give(_v4, key.V4, count);
            }
            else
            {
                Give(_v6, key, count);
            }
        }
    }

    private bool TryTake<TKey>(Dictionary<TKey, int> used, TKey key)
        where TKey : notnull
    {
        var n = used.GetValueOrDefault(key);
        if (n >= maxPerAddress)
        {
            return false;
        }

        used[key] = n + 1;
        return true;
    }

    private static void Give<TKey>(Dictionary<TKey, int> used, TKey key, int count)
        where TKey : notnull
    {
        var left = used.GetValueOrDefault(key) - count;
        if (left > 0)
        {
            used[key] = left;
        }
        else
        {
            used.Remove(key);
        }
    }
}
