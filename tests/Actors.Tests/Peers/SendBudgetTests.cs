using Swarm.Actors.Peers;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class SendBudgetTests
{
    [Fact]
    public void A_peer_never_queues_past_its_own_bound()
    {
        var budget = new SendBudget(nodeBytes: 1 << 20, perPeerBytes: 1000, guaranteedBytes: 100);
        Assert.True(budget.TryTake(peerQueued: 0, 1000));
        Assert.False(budget.TryTake(peerQueued: 1000, 1));
        Assert.Equal(1000, budget.Used);
    }

    [Fact]
    public void Past_the_node_budget_only_a_peer_under_its_guaranteed_share_may_queue()
    {
        var budget = new SendBudget(nodeBytes: 1000, perPeerBytes: 800, guaranteedBytes: 200);
        Assert.True(budget.TryTake(0, 800)); // one flooding peer
        Assert.True(budget.TryTake(0, 200)); // a second one: the budget is spent
        Assert.False(budget.TryTake(200, 100)); // the second, past its share: refused
        Assert.True(budget.TryTake(0, 150)); // an honest peer with a small queue still talks
        Assert.Equal(1150, budget.Used);
    }

    [Fact]
    public void What_is_returned_can_be_taken_again()
    {
        var budget = new SendBudget(nodeBytes: 1000, perPeerBytes: 1000, guaranteedBytes: 0);
        Assert.True(budget.TryTake(0, 1000));
        Assert.False(budget.TryTake(0, 1));
        budget.Return(1000);
        Assert.Equal(0, budget.Used);
        Assert.True(budget.TryTake(0, 1));
    }

    [Fact]
    public void A_message_costs_its_payload_and_a_fixed_overhead_so_that_tiny_floods_are_not_free()
    {
        Assert.Equal(SendBudget.ItemOverhead, SendBudget.CostOf(new RejectRequest(1, 0, 16384)));
        Assert.Equal(SendBudget.ItemOverhead + 16384, SendBudget.CostOf(new Extended(3, new byte[16384])));
        Assert.Equal(SendBudget.ItemOverhead + 10, SendBudget.CostOf(new Bitfield(new byte[10])));
    }

    [Fact]
    public void Concurrent_takers_never_run_the_budget_over_beyond_guaranteed_shares()
    {
        var budget = new SendBudget(nodeBytes: 10_000, perPeerBytes: 10_000, guaranteedBytes: 0);
        var taken = 0L;
        Parallel.For(0, 1000, _ =>
        {
            if (budget.TryTake(1, 100))
            {
                Interlocked.Add(ref taken, 100);
            }
        });
        Assert.Equal(10_000, taken);
        Assert.Equal(10_000, budget.Used);
    }
}
