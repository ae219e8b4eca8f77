using Akka.Cluster;
using Swarm.Actors.Clustering;
using Xunit;
using static Swarm.Actors.Tests.Clustering.ClusterFixtures;

namespace Swarm.Actors.Tests.Clustering;

public sealed class ProtocolVersionCheckTests
{
    [Fact]
    public void A_younger_member_speaking_another_version_is_left_out_once_and_this_node_stays()
    {
        var membership = Members("a", Up("a"), Up("b"));
        var check = ProtocolVersionCheck.For(1);
        MemberHoldings[] entries = [Entry("a"), Entry("b") with { ProtocolVersion = 2 }];

        var review = check.Review(membership, entries);
        Assert.Null(review.Refusal);
        Assert.Equal([KeyOf("b")], review.LeftOut.Select(h => h.Member));

        // Decided once: the next gossip change says nothing more about it.
        var again = review.Next.Review(membership, entries);
        Assert.Empty(again.LeftOut);
        Assert.Null(again.Refusal);
    }

    [Fact]
    public void This_node_is_refused_when_the_mismatched_member_is_older()
    {
        var review = ProtocolVersionCheck.For(1).Review(Members("a", Up("a"), Up("b", older: true)), [Entry("b") with { ProtocolVersion = 2 }]);
        Assert.Empty(review.LeftOut);
        Assert.Equal(
            $"refused by the cluster: member {AddressOf("b")} speaks swarm cluster protocol 2, this node 1; run one version across the cluster",
            review.Refusal);
    }

    [Fact]
    public void This_node_is_refused_while_it_is_not_up_yet_whoever_is_older()
    {
        var joining = Members("a", Up("a") with { Status = MemberStatus.Joining }, Up("b"));
        Assert.NotNull(ProtocolVersionCheck.For(1).Review(joining, [Entry("b") with { ProtocolVersion = 2 }]).Refusal);
    }

    [Fact]
    public void An_entry_ahead_of_its_membership_is_decided_once_the_member_is_known()
    {
        MemberHoldings[] entries = [Entry("b") with { ProtocolVersion = 2 }];
        var early = ProtocolVersionCheck.For(1).Review(Members("a", Up("a")), entries);
        Assert.Empty(early.LeftOut);
        Assert.Null(early.Refusal);

        var known = early.Next.Review(Members("a", Up("a"), Up("b")), entries);
        Assert.Equal([KeyOf("b")], known.LeftOut.Select(h => h.Member));
    }

    [Fact]
    public void Members_speaking_the_same_version_are_never_decided_on()
    {
        var review = ProtocolVersionCheck.For(1).Review(Members("a", Up("a"), Up("b", older: true)), [Entry("a"), Entry("b")]);
        Assert.Equal((0, null, 0), (review.LeftOut.Length, review.Refusal, review.Next.Decided.Count));
    }
}
