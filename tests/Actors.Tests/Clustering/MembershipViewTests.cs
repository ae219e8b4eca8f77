using Akka.Cluster;
using Swarm.Actors.Clustering;
using Xunit;
using static Swarm.Actors.Tests.Clustering.ClusterFixtures;

namespace Swarm.Actors.Tests.Clustering;

public sealed class MembershipViewTests
{
    [Fact]
    public void Only_members_up_reachable_and_speaking_our_protocol_are_usable()
    {
        var membership = Members(
            "a",
            Up("a"),
            Up("b", reachable: false),
            Up("c") with { Status = MemberStatus.Joining },
            Up("d"),
            Up("e"));
        var view = View(membership, Entry("a"), Entry("d") with { ProtocolVersion = 2 }, Entry("f"));

        // e has published nothing yet and still counts as usable (the planner waits for its entry itself); f's entry
        // has no member.
        Assert.Equal(["a#1", "e#1"], view.Usable().Order(StringComparer.Ordinal));
        Assert.Equal([KeyOf("a")], view.UsableHoldings().Select(h => h.Member));
        Assert.Equal<string>([AddressOf("a"), AddressOf("e")], view.SearchAddresses());
    }

    [Fact]
    public void The_replication_view_lists_every_member_with_its_entry_and_whether_it_is_usable()
    {
        var view = View(Members("a", Up("a"), Up("b", reachable: false)), Entry("a", Complete("t1")), Entry("b", Complete("t1"))) with
        {
            Factors = System.Collections.Immutable.ImmutableDictionary<string, int>.Empty.Add("t1", 3),
        };
        var replication = view.ReplicationView();
        Assert.Equal("a#1", replication.Self);
        Assert.Equal([("a#1", true, true), ("b#1", false, true)], replication.Members.Select(m => (m.Member, m.Usable, m.Holdings is not null)));
        Assert.Equal(3, replication.ReplicationFactors["t1"]);
    }

    [Fact]
    public void The_cluster_state_shows_members_and_only_the_entries_of_current_members()
    {
        var membership = Members("a", Up("a") with { IsLeader = true }, Up("b", reachable: false)) with { Leader = AddressOf("a") };
        var state = View(membership, Entry("a", Complete("t1"), Partial("t2")), Entry("gone", Complete("t1"))).State(defaultFactor: 2);

        Assert.Equal((AddressOf("a"), AddressOf("a")), (state.Self, state.Leader));
        var a = state.Members[0];
        Assert.Equal((AddressOf("a"), "up", true, true, true, "node-a", 2, 1), (a.Address, a.Status, a.Reachable, a.IsLeader, a.IsSelf, a.NodeId, a.Torrents, a.CompleteTorrents));
        var b = state.Members[1];
        Assert.Equal((false, false, null, 0), (b.Reachable, b.IsSelf, b.NodeId, b.Torrents));
        Assert.Equal([KeyOf("a")], state.Holdings.Select(h => h.Member));
        Assert.Equal(2, state.FactorOf("t1"));
    }

    [Fact]
    public void A_torrent_is_added_from_the_other_usable_holders_complete_copies_first()
    {
        const string Hash = "1111111111111111111111111111111111111111";
        var view = View(
            Members("a", Up("a"), Up("b"), Up("c"), Up("d", reachable: false)),
            Entry("a", Complete(Hash)),
            Entry("b", Partial(Hash)),
            Entry("c", Complete(Hash)),
            Entry("d", Complete(Hash)));

        var sources = view.SourcesFor(Hash);
        Assert.Null(sources.Refusal);
        Assert.Equal([KeyOf("c"), KeyOf("b")], sources.Holders.Select(h => h.Member));
        Assert.Equal([PeerOf("c"), PeerOf("b")], sources.Peers.Select(p => p.ToString()));

        var none = view.SourcesFor("2222222222222222222222222222222222222222");
        Assert.Equal("no reachable member of the cluster holds 22222222", none.Refusal);
        Assert.Empty(none.Holders);
    }

    [Fact]
    public void A_private_torrent_is_never_added_from_the_cluster()
    {
        var view = View(Members("a", Up("a"), Up("b")), Entry("b", Complete("p1234567", isPrivate: true)));
        var sources = view.SourcesFor("p1234567");
        Assert.Empty(sources.Holders);
        Assert.StartsWith("p1234567 is a private torrent (BEP 27)", sources.Refusal);
    }

    [Fact]
    public void This_node_has_joined_only_once_it_is_a_member_past_joining()
    {
        Assert.False((Members("a", Up("b")) with { SelfStatus = MemberStatus.Up }).SelfJoined);
        Assert.False(Members("a", Up("a") with { Status = MemberStatus.Joining }, Up("b")).SelfJoined);
        Assert.True(Members("a", Up("a"), Up("b")).SelfJoined);
    }
}
