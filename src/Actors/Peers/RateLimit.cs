namespace Swarm.Actors.Peers;

/// <summary>A byte rate shared by many connections (a token bucket that may go into debt). A caller reserves the
/// bytes it is about to move and waits the returned delay; waiting in the socket loops, not in actors, lets TCP
/// push back on the remote peer instead of buffering.</summary>
public sealed class RateLimit
{
    /// <summary>A quarter second of traffic may pass at once, but never less than one block plus framing.</summary>
    private const double BurstSeconds = 0.25;
    private const double MinBurst = 32 * 1024;
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private long _bytesPerSecond;
    private double _tokens;
    private long _stamp;

    /// <param name="time">The clock the bucket refills by; tests pass one they move by hand.</param>
    public RateLimit(long bytesPerSecond, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _stamp = _time.GetTimestamp();
        BytesPerSecond = bytesPerSecond;
    }

    /// <summary>0 means unlimited. Changes apply to the next reservation.</summary>
    public long BytesPerSecond
    {
        get => Volatile.Read(ref _bytesPerSecond);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            lock (_gate)
            {
                Volatile.Write(ref _bytesPerSecond, value);
                // Debt run up under a lower limit must not stall traffic under the new one.
                _tokens = Math.Max(_tokens, 0);
                _stamp = _time.GetTimestamp();
            }
        }
    }

    /// <summary>Takes <paramref name="bytes"/> from the bucket; returns how long to wait before moving them.</summary>
    public TimeSpan Reserve(int bytes)
    {
        var rate = BytesPerSecond;
        if (rate <= 0)
        {
            return TimeSpan.Zero;
        }

        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var burst = Math.Max(rate * BurstSeconds, MinBurst);
            _tokens = Math.Min(burst, _tokens + (_time.GetElapsedTime(_stamp, now).TotalSeconds * rate));
            _stamp = now;
            _tokens -= bytes;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / rate);
        }
    }
}

/// <summary>Download and upload limits of one scope (the node, or one torrent).</summary>
/// <param name="clock">The clock the buckets refill by (the node's, <see cref="NodeContext.Clock"/>); the system's if none.</param>
public sealed class TransferLimits(long downloadBytesPerSecond, long uploadBytesPerSecond, TimeProvider? clock = null)
{
    public RateLimit Download { get; } = new(downloadBytesPerSecond, clock);

    public RateLimit Upload { get; } = new(uploadBytesPerSecond, clock);

    /// <summary>The longest wait any of <paramref name="limits"/> asks for.</summary>
    public static TimeSpan Reserve(IReadOnlyList<RateLimit> limits, int bytes)
    {
        var wait = TimeSpan.Zero;
        // Indexed: foreach over the interface allocated an enumerator per received block (issue 14).
        for (var i = 0; i < limits.Count; i++)
        {
            var w = limits[i].Reserve(bytes);
            if (w > wait)
            {
                wait = w;
            }
        }

        return wait;
    }
}
