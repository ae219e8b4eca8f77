using System.Collections.Immutable;

namespace Swarm.Actors.Clustering;

/// <summary>Gossip entries whose member is not in the membership, and since when. Such an entry is dropped once it has
/// been absent longer than <c>stale-entry-after</c> (a member that left while this one was away); not at once, because
/// a joining member's first entry may arrive before its membership does.</summary>
public sealed record StaleEntries(ImmutableDictionary<string, DateTimeOffset> AbsentSince)
{
    public static readonly StaleEntries None = new(ImmutableDictionary.Create<string, DateTimeOffset>(StringComparer.Ordinal));

    /// <param name="entries">Keys of the gossiped entries now.</param>
    /// <param name="members">Keys of the current members.</param>
    /// <returns>The next state, and the entries to drop now.</returns>
    public (StaleEntries Next, ImmutableArray<string> Drop) Review(IEnumerable<string> entries, IReadOnlySet<string> members, DateTimeOffset now, TimeSpan staleAfter)
    {
        var absent = AbsentSince;
        var drop = ImmutableArray.CreateBuilder<string>();
        foreach (var key in entries)
        {
            if (members.Contains(key))
            {
                absent = absent.Remove(key);
            }
            else if (!absent.TryGetValue(key, out var since))
            {
                absent = absent.SetItem(key, now);
            }
            else if (now - since > staleAfter)
            {
                absent = absent.Remove(key);
                drop.Add(key);
            }
        }

        return (new StaleEntries(absent), drop.ToImmutable());
    }
}
