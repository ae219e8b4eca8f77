using Swarm.Actors.Clustering;
using Xunit;

namespace Swarm.Actors.Tests.Clustering;

public sealed class StaleEntriesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan After = TimeSpan.FromSeconds(30);

    [Fact]
    public void An_entry_without_a_member_is_dropped_only_once_it_has_been_absent_longer_than_the_delay()
    {
        HashSet<string> members = ["a"];
        var (stale, drop) = StaleEntries.None.Review(["a", "gone"], members, T0, After);
        Assert.Empty(drop);

        (stale, drop) = stale.Review(["a", "gone"], members, T0 + After, After);
        Assert.Empty(drop);

        (stale, drop) = stale.Review(["a", "gone"], members, T0 + After + TimeSpan.FromMilliseconds(1), After);
        Assert.Equal<string>(["gone"], drop);
        Assert.Empty(stale.AbsentSince);
    }

    [Fact]
    public void An_entry_whose_member_shows_up_in_time_is_kept_and_its_absence_counts_anew()
    {
        var (stale, drop) = StaleEntries.None.Review(["joining"], new HashSet<string>(), T0, After);
        // The member's first gossip came before its membership: now it is a member.
        (stale, drop) = stale.Review(["joining"], new HashSet<string> { "joining" }, T0 + TimeSpan.FromSeconds(10), After);
        Assert.Empty(drop);
        Assert.Empty(stale.AbsentSince);

        // Absent again later: the delay starts from there, not from the first absence.
        (stale, drop) = stale.Review(["joining"], new HashSet<string>(), T0 + TimeSpan.FromSeconds(40), After);
        (_, drop) = stale.Review(["joining"], new HashSet<string>(), T0 + TimeSpan.FromSeconds(60), After);
        Assert.Empty(drop);
    }

    [Fact]
    public void A_review_leaves_the_state_it_started_from_unchanged()
    {
        var (stale, _) = StaleEntries.None.Review(["gone"], new HashSet<string>(), T0, After);
        stale.Review(["gone"], new HashSet<string>(), T0 + TimeSpan.FromMinutes(5), After);
        Assert.Equal(T0, stale.AbsentSince["gone"]);
        Assert.Empty(StaleEntries.None.AbsentSince);
    }
}
