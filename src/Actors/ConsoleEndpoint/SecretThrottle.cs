using System.Collections.Immutable;
using Swarm.Actors.Configuration;

namespace Swarm.Actors.ConsoleEndpoint;

/// <summary>How the console slows down wrong secrets, per requester (its real source address), as a pure rule: each
/// wrong secret is answered later than the one before it (first-delay, doubling up to max-delay, and one after the
/// other, so parallel guesses wait in line), a requester with max-waiting answers pending is refused unchecked, and a
/// requester quiet for quiet-after starts afresh. Other requesters are never affected.</summary>
public sealed record SecretThrottle(ConsoleGuardSettings Settings)
{
    private ImmutableDictionary<string, Burst> Bursts { get; init; } = ImmutableDictionary.Create<string, Burst>(StringComparer.Ordinal);

    /// <summary>Whether a request of <paramref name="requester"/> may have its secret checked now: false while it has
    /// max-waiting wrong answers pending.</summary>
    public bool Admits(string requester) => !(Bursts.TryGetValue(requester, out var b) && b.Waiting >= Settings.MaxWaiting);

    /// <summary>A request refused unchecked (not admitted): counted in the requester's burst.</summary>
    public SecretThrottle RefusedUnchecked(string requester) =>
        Bursts.TryGetValue(requester, out var b) ? this with { Bursts = Bursts.SetItem(requester, b with { Unchecked = b.Unchecked + 1 }) } : this;

    /// <summary>A wrong secret from <paramref name="requester"/> at <paramref name="now"/>: how long its answer waits,
    /// and whether it starts a burst (the one time it is logged).</summary>
    public (SecretThrottle Next, TimeSpan Delay, bool BurstStarts) Wrong(string requester, DateTimeOffset now)
    {
        var fresh = !Bursts.TryGetValue(requester, out var b) || (b.Waiting == 0 && now - b.Last >= Settings.QuietAfter);
        var burst = fresh ? new Burst(0, now, now, now, 0, 0) : b!;
        var failures = burst.Failures + 1;
        var doubled = Settings.FirstDelay.Ticks * Math.Pow(2, Math.Min(failures - 1, 40));
        var delay = TimeSpan.FromTicks((long)Math.Min(doubled, Settings.MaxDelay.Ticks));
        var answerAt = (burst.NextAnswer > now ? burst.NextAnswer : now) + delay;
        var next = burst with { Failures = failures, Last = now, NextAnswer = answerAt, Waiting = burst.Waiting + 1 };
        return (this with { Bursts = Bursts.SetItem(requester, next) }, answerAt - now, fresh);
    }

    /// <summary>A held-back answer of <paramref name="requester"/> was sent.</summary>
    public SecretThrottle Answered(string requester) =>
        Bursts.TryGetValue(requester, out var b) ? this with { Bursts = Bursts.SetItem(requester, b with { Waiting = Math.Max(0, b.Waiting - 1) }) } : this;

    /// <summary>Drops the bursts that ended (quiet for quiet-after, nothing pending) and returns them, for one summary
    /// line each.</summary>
    public (SecretThrottle Next, IReadOnlyList<EndedBurst> Ended) Sweep(DateTimeOffset now)
    {
        var ended = Bursts.Where(kv => kv.Value.Waiting == 0 && now - kv.Value.Last >= Settings.QuietAfter).ToList();
        return ended.Count == 0
            ? (this, [])
            : (this with { Bursts = Bursts.RemoveRange(ended.Select(kv => kv.Key)) },
                [.. ended.Select(kv => new EndedBurst(kv.Key, kv.Value.Failures, kv.Value.Unchecked, kv.Value.Start, kv.Value.Last))]);
    }

    /// <summary>Requesters being slowed down now.</summary>
    public int Count => Bursts.Count;

    public sealed record EndedBurst(string Requester, int WrongSecrets, int RefusedUnchecked, DateTimeOffset Start, DateTimeOffset Last);

    private sealed record Burst(int Failures, DateTimeOffset Start, DateTimeOffset Last, DateTimeOffset NextAnswer, int Waiting, int Unchecked);
}
