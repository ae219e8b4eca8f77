namespace Swarm.Actors.Tests.Support;

/// <summary>A clock that moves only when told, so that waits and expiries are exact and independent of the machine's
/// load. Wall time and timestamps move together.</summary>
public sealed class ManualClock(DateTimeOffset? start = null) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _ticks;
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _ticks += by.Ticks;
            _now += by;
        }
    }
}
