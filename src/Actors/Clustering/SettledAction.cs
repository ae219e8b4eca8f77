using System.Collections.Immutable;

namespace Swarm.Actors.Clustering;

/// <summary>One kind of action per torrent (add a copy, release one) that must be wanted for <paramref name="Settle"/>
/// before it is taken, so that a member restarting or a view still converging triggers nothing, and is taken again
/// only after <paramref name="Retry"/> unless its effect shows up first.</summary>
/// <param name="WantedSince">By info-hash: since when this member has been chosen for it without a break.</param>
/// <param name="TakenAt">By info-hash: when the action was last taken, until its effect shows.</param>
public sealed record SettledAction(TimeSpan Settle, TimeSpan Retry, ImmutableDictionary<string, DateTimeOffset> WantedSince, ImmutableDictionary<string, DateTimeOffset> TakenAt)
{
    public static SettledAction Create(TimeSpan settle, TimeSpan retry) => new(
        settle,
        retry,
        ImmutableDictionary.Create<string, DateTimeOffset>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, DateTimeOffset>(StringComparer.Ordinal));

    /// <param name="wanted">The torrents this member is chosen for now.</param>
    /// <param name="done">Whether the action's effect shows in this member's holdings (then it may be taken anew).</param>
    /// <returns>The next state, and the torrents to act on now.</returns>
    public (SettledAction Next, ImmutableArray<string> Due) Review(IEnumerable<string> wanted, Func<string, bool> done, DateTimeOffset now)
    {
        var current = wanted.ToList();
        var wantedSince = WantedSince.RemoveRange(WantedSince.Keys.Except(current, StringComparer.Ordinal));
        var takenAt = TakenAt.RemoveRange(TakenAt.Keys.Where(done));
        var due = ImmutableArray.CreateBuilder<string>();
        foreach (var hash in current)
        {
            if (!wantedSince.TryGetValue(hash, out var since))
            {
                wantedSince = wantedSince.SetItem(hash, since = now);
            }

            if (now - since >= Settle && !(takenAt.TryGetValue(hash, out var at) && now - at < Retry))
            {
                takenAt = takenAt.SetItem(hash, now);
                due.Add(hash);
            }
        }

        return (this with { WantedSince = wantedSince, TakenAt = takenAt }, due.ToImmutable());
    }
}
