namespace Swarm.Protocol.WebSeeds;

/// <summary>When a failing web seed is tried again: the delay doubles with each failure in a row, from
/// <see cref="Initial"/> up to <see cref="Max"/>, and a success clears it. Times come from the caller's clock.</summary>
public sealed record WebSeedBackoff(TimeSpan Initial, TimeSpan Max)
{
    public int Failures { get; private init; }

    /// <summary>Not before this time (null: no failure since the last success).</summary>
    public DateTimeOffset? RetryAt { get; private init; }

    public bool IsWaiting(DateTimeOffset now) => RetryAt is { } at && now < at;

    public WebSeedBackoff Failed(DateTimeOffset now)
    {
        var failures = Failures + 1;
        var delay = Initial;
        for (var i = 1; i < failures && delay < Max; i++)
        {
            delay += delay;
        }

        return this with { Failures = failures, RetryAt = now + (delay < Max ? delay : Max) };
    }

    public WebSeedBackoff Succeeded() => this with { Failures = 0, RetryAt = null };
}
