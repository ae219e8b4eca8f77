using System.Net;
using Swarm.Actors.TrackerServer;
using Xunit;

namespace Swarm.Actors.Tests.TrackerServer;

/// <summary>Room per source address: each address meets its own bound, room given back is reusable, and an IPv4
/// client is one address on either socket family.</summary>
public sealed class AddressBudgetTests
{
    private static readonly IPAddress A = IPAddress.Parse("127.0.0.3");
    private static readonly IPAddress B = IPAddress.Parse("127.0.0.2");

    [Fact]
    public void Each_address_has_its_own_share()
    {
        var budget = new AddressBudget(2);
        Assert.True(budget.TryTake(A));
        Assert.True(budget.TryTake(A));
        Assert.False(budget.TryTake(A));
        Assert.True(budget.TryTake(B));
        Assert.Equal((2, 1), (budget.UsedBy(A), budget.UsedBy(B)));
    }

    [Fact]
    public void Room_given_back_is_taken_again_and_an_empty_address_is_forgotten()
    {
        var budget = new AddressBudget(1);
        Assert.True(budget.TryTake(A));
        budget.Give(A);
        Assert.Equal(0, budget.Addresses);
        Assert.True(budget.TryTake(A));
    }

    [Fact]
    public void A_v4_mapped_address_is_its_ipv4_address()
    {
        var budget = new AddressBudget(1);
        Assert.True(budget.TryTake(A.MapToIPv6()));
        Assert.False(budget.TryTake(A));
        budget.Give(A);
        Assert.Equal(0, budget.Addresses);
    }

    [Fact]
    public void An_ipv6_address_is_counted_apart_from_the_ipv4_address_with_the_same_low_bytes()
    {
        // ::127.0.0.3 (IPv4-compatible, not v4-mapped) ends in A's four bytes; the IPv4 table keys on those alone.
        var v6 = IPAddress.Parse("::127.0.0.3");
        var budget = new AddressBudget(1);
        Assert.True(budget.TryTake(A));
        Assert.True(budget.TryTake(v6));
        Assert.Equal((1, 1, 2), (budget.UsedBy(A), budget.UsedBy(v6), budget.Addresses));
        budget.Give(v6);
        Assert.Equal((1, 0, 1), (budget.UsedBy(A), budget.UsedBy(v6), budget.Addresses));
    }

    [Fact]
    public void The_node_wide_budget_is_not_taken_when_the_address_has_no_share_left()
    {
        var budgets = new TrackerBudgets(Support.TestNodes.Settings.TrackerServer with { MaxPeers = 3, MaxPeersPerAddress = 2 });
        Assert.True(budgets.TryTakePeer(PeerAddress.From(A)));
        Assert.True(budgets.TryTakePeer(PeerAddress.From(A)));
        Assert.False(budgets.TryTakePeer(PeerAddress.From(A)));
        Assert.Equal(2, budgets.Peers.Used);
        Assert.True(budgets.TryTakePeer(PeerAddress.From(B)));
        Assert.False(budgets.TryTakePeer(PeerAddress.From(IPAddress.Parse("127.0.0.4")))); // node-wide budget full
        Assert.Equal(0, budgets.PerAddress.UsedBy(IPAddress.Parse("127.0.0.4")));
        budgets.GivePeer(PeerAddress.From(A));
        Assert.True(budgets.TryTakePeer(PeerAddress.From(IPAddress.Parse("127.0.0.4"))));
    }
}
