using Swarm.Actors.Clustering;
using Xunit;

namespace Swarm.Actors.Tests.Clustering;

public sealed class SettledActionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Func<string, bool> NotDone = _ => false;

    [Fact]
    public void An_action_is_due_once_it_has_been_wanted_for_the_settling_time()
    {
        var action = SettledAction.Create(TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(2));
        (action, var due) = action.Review(["t1"], NotDone, T0);
        Assert.Empty(due);
        (action, due) = action.Review(["t1"], NotDone, T0 + TimeSpan.FromSeconds(2.9));
        Assert.Empty(due);
        (_, due) = action.Review(["t1"], NotDone, T0 + TimeSpan.FromSeconds(3));
        Assert.Equal<string>(["t1"], due);
    }

    [Fact]
    public void A_break_in_wanting_starts_the_settling_time_anew()
    {
        var action = SettledAction.Create(TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(2));
        (action, _) = action.Review(["t1"], NotDone, T0);
        (action, var due) = action.Review([], NotDone, T0 + TimeSpan.FromSeconds(2));
        Assert.Empty(due);
        (action, due) = action.Review(["t1"], NotDone, T0 + TimeSpan.FromSeconds(4));
        Assert.Empty(due);
        (_, due) = action.Review(["t1"], NotDone, T0 + TimeSpan.FromSeconds(7));
        Assert.Equal<string>(["t1"], due);
    }

    [Fact]
    public void A_taken_action_is_taken_again_only_after_the_retry_delay_unless_its_effect_shows()
    {
        var action = SettledAction.Create(TimeSpan.Zero, TimeSpan.FromSeconds(10));
        (action, var due) = action.Review(["t1"], NotDone, T0);
        Assert.Equal<string>(["t1"], due);
        (action, due) = action.Review(["t1"], NotDone, T0 + TimeSpan.FromSeconds(9.9));
        Assert.Empty(due);
        (var retried, due) = action.Review(["t1"], NotDone, T0 + TimeSpan.FromSeconds(10));
        Assert.Equal<string>(["t1"], due);

        // Its effect showed (the copy appeared, then went): wanted again, it is due at once.
        (_, due) = action.Review(["t1"], _ => true, T0 + TimeSpan.FromSeconds(9.9));
        Assert.Equal<string>(["t1"], due);
        Assert.Equal(T0 + TimeSpan.FromSeconds(10), retried.TakenAt["t1"]);
    }

    [Fact]
    public void Torrents_are_timed_apart_and_a_review_leaves_its_start_unchanged()
    {
        var start = SettledAction.Create(TimeSpan.FromSeconds(3), TimeSpan.FromMinutes(2));
        var (action, _) = start.Review(["t1"], NotDone, T0);
        (action, _) = action.Review(["t1", "t2"], NotDone, T0 + TimeSpan.FromSeconds(2));
        var (_, due) = action.Review(["t1", "t2"], NotDone, T0 + TimeSpan.FromSeconds(3));
        Assert.Equal<string>(["t1"], due);
        Assert.Empty(start.WantedSince);
        Assert.Empty(action.TakenAt);
    }
}
