namespace Swarm.Actors.Peers;

/// <summary>How many requests of one kind a peer may still make: a token bucket of whole requests that holds at most
/// <see cref="Burst"/> and refills at <see cref="PerSecond"/>, read against the node's clock. Used for ut_metadata
/// requests and for requests we have to refuse (BEP 6 rejects): an honest peer stays far inside both, a flood runs
/// it dry. Immutable.</summary>
public sealed record RequestAllowance(double Burst, double PerSecond, double Tokens, DateTimeOffset Stamp)
{
    /// <summary>A full bucket at <paramref name="now"/>.</summary>
    public static RequestAllowance Full(double burst, double perSecond, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegative(perSecond);
        return new(burst, perSecond, burst, now);
    }

    /// <summary>Spends one request; <c>Allowed</c> is false (and nothing is spent) when the bucket is empty.</summary>
    public (RequestAllowance Next, bool Allowed) Take(DateTimeOffset now)
    {
        var elapsed = Math.Max(0, (now - Stamp).TotalSeconds);
        var tokens = Math.Min(Burst, Tokens + (elapsed * PerSecond));
        var refilled = this with { Tokens = tokens, Stamp = now > Stamp ? now : Stamp };
        return tokens >= 1 ? (refilled with { Tokens = tokens - 1 }, true) : (refilled, false);
    }
}
