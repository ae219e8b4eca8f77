using System.Net;

namespace Swarm.Actors.Peers;

/// <summary>Caps on incoming connections whose handshake has not arrived yet, node-wide and per remote address. Such a
/// connection costs a socket and a pending read, and until its handshake names a torrent no per-torrent cap applies:
/// without these caps, idle connections pile up for a whole handshake timeout each. A connection over a cap is
/// closed by the caller at once; those already admitted are never touched. Thread-safe (the accept loop admits,
/// handshake tasks release).</summary>
public sealed class HandshakeAdmission
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private int _total;

    /// <param name="maxTotal">Node-wide (<c>max-incoming-handshakes</c>).</param>
    /// <param name="maxPerAddress">Per remote address (<c>max-incoming-handshakes-per-address</c>).</param>
    public HandshakeAdmission(int maxTotal, int maxPerAddress)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTotal);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPerAddress);
        MaxTotal = maxTotal;
        MaxPerAddress = maxPerAddress;
    }

    public int MaxTotal { get; }

    public int MaxPerAddress { get; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _total;
            }
        }
    }

    /// <summary>Admits a connection from <paramref name="remote"/>; null when a cap is reached, with the cap's name in
    /// <paramref name="refusal"/>. The returned slot must be released once, when the handshake ends either way.</summary>
    public HeldSlot? TryAdmit(IPAddress remote, out string? refusal)
    {
        var key = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        lock (_gate)
        {
            var mine = _perAddress.GetValueOrDefault(key);
            refusal = _total >= MaxTotal ? $"{MaxTotal} incoming handshakes in progress (node limit)"
                : mine >= MaxPerAddress ? $"{MaxPerAddress} incoming handshakes in progress from {key} (address limit)"
                : null;
            if (refusal is not null)
            {
                return null;
            }

            _total++;
            _perAddress[key] = mine + 1;
        }

        return new HeldSlot(() => Release(key));
    }

    private void Release(IPAddress key)
    {
        lock (_gate)
        {
            _total--;
            if (_perAddress[key] <= 1)
            {
                _perAddress.Remove(key);
            }
            else
            {
                _perAddress[key]--;
            }
        }
    }
}
