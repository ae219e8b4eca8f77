using Swarm.Actors.TrackerServer;
using Xunit;

namespace Swarm.Actors.Tests.TrackerServer;

public sealed class PeerBudgetTests
{
    [Fact]
    public void Room_is_taken_up_to_the_bound_and_given_back()
    {
        var budget = new PeerBudget(3);
        Assert.True(budget.TryTake());
        Assert.True(budget.TryTake());
        Assert.True(budget.TryTake());
        Assert.False(budget.TryTake());
        Assert.Equal(3, budget.Used);
        budget.Give(2);
        Assert.Equal(1, budget.Used);
        Assert.True(budget.TryTake());
    }

    [Fact]
    public void Concurrent_takers_never_exceed_the_bound()
    {
        var budget = new PeerBudget(1000);
        var taken = 0;
        Parallel.For(0, 5000, _ =>
        {
            if (budget.TryTake())
            {
                Interlocked.Increment(ref taken);
            }
        });
        Assert.Equal((1000, 1000), (taken, budget.Used));
    }
}
