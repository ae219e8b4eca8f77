using System.Net;

namespace Swarm.Actors.Peers;

/// <summary>Caps on incoming connections whose handshake has not arrived yet, node-wide and per remote address, and
/// their deadline. Such a connection costs a socket and a pending read, and until its handshake names a torrent no
/// per-torrent cap applies: without these caps, idle connections pile up for a whole handshake timeout each. A
/// connection over a cap is closed by the caller at once; those already admitted are never touched. Deadlines are
/// read on the node's clock: <see cref="Expire"/> (the listener's tick) cancels the admissions whose time is up.
/// Thread-safe (the accept loop admits, handshake tasks release, the listener expires).</summary>
public sealed class HandshakeAdmission
{
    /// <summary>The tick runs at this fraction of the timeout: a connection outlives its deadline by at most a quarter.</summary>
    private const int SweepsPerTimeout = 4;

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private readonly Dictionary<long, Admitted> _admitted = [];
    private readonly TimeProvider _clock;
    private long _next;

    /// <param name="maxTotal">Node-wide (<c>max-incoming-handshakes</c>).</param>
    /// <param name="maxPerAddress">Per remote address (<c>max-incoming-handshakes-per-address</c>).</param>
    /// <param name="timeout">How long an admitted connection may take to send its handshake (<c>peer.handshake-timeout</c>).</param>
    public HandshakeAdmission(int maxTotal, int maxPerAddress, TimeSpan timeout, TimeProvider clock)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxTotal);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPerAddress);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        MaxTotal = maxTotal;
        MaxPerAddress = maxPerAddress;
        Timeout = timeout;
        _clock = clock;
    }

    public int MaxTotal { get; }

    public int MaxPerAddress { get; }

    public TimeSpan Timeout { get; }

    /// <summary>How often the owner should call <see cref="Expire"/>.</summary>
    public TimeSpan SweepInterval => Timeout / SweepsPerTimeout;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _admitted.Count;
            }
        }
    }

    /// <summary>Admits a connection from <paramref name="remote"/>; null when a cap is reached, with the cap's name in
    /// <paramref name="refusal"/>. The admission's token is cancelled when its deadline passes (see
    /// <see cref="Expire"/>); it must be disposed once, when the handshake ends either way.</summary>
    public Admission? TryAdmit(IPAddress remote, out string? refusal)
    {
        var key = remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        lock (_gate)
        {
            var mine = _perAddress.GetValueOrDefault(key);
            refusal = _admitted.Count >= MaxTotal ? $"{MaxTotal} incoming handshakes in progress (node limit, peer-hardening.max-incoming-handshakes)"
                : mine >= MaxPerAddress ? $"{MaxPerAddress} incoming handshakes in progress from {key} (address limit, peer-hardening.max-incoming-handshakes-per-address)"
                : null;
            if (refusal is not null)
            {
                return null;
            }

            var id = _next++;
            var cts = new CancellationTokenSource();
            _admitted[id] = new Admitted(key, _clock.GetUtcNow() + Timeout, cts);
            _perAddress[key] = mine + 1;
            return new Admission(cts.Token, new HeldSlot(() => Release(id)));
        }
    }

    /// <summary>Cancels every admission whose deadline has passed on the clock; returns how many.</summary>
    public int Expire()
    {
        var now = _clock.GetUtcNow();
        List<CancellationTokenSource> due;
        lock (_gate)
        {
            due = [.. _admitted.Values.Where(a => a.Deadline <= now && !a.Cts.IsCancellationRequested).Select(a => a.Cts)];
        }

        foreach (var cts in due)
        {
            try
            {
                cts.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // Its handshake ended meanwhile.
            }
        }

        return due.Count;
    }

    private void Release(long id)
    {
        Admitted a;
        lock (_gate)
        {
            if (!_admitted.Remove(id, out a!))
            {
                return;
            }

            if (_perAddress[a.Address] <= 1)
            {
                _perAddress.Remove(a.Address);
            }
            else
            {
                _perAddress[a.Address]--;
            }
        }

        a.Cts.Dispose();
    }

    private sealed record Admitted(IPAddress Address, DateTimeOffset Deadline, CancellationTokenSource Cts);
}

/// <summary>One admitted incoming connection: <see cref="Deadline"/> is cancelled when its handshake takes too long;
/// disposing it gives its places back (once).</summary>
public sealed class Admission(CancellationToken deadline, HeldSlot slot) : IDisposable
{
    public CancellationToken Deadline { get; } = deadline;

    public void Dispose() => slot.Release();
}
