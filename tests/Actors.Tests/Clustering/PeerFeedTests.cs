using Swarm.Actors.Clustering;
using Xunit;
using static Swarm.Actors.Tests.Clustering.ClusterFixtures;

namespace Swarm.Actors.Tests.Clustering;

public sealed class PeerFeedTests
{
    [Fact]
    public void The_other_holders_of_a_local_torrent_become_its_peers_in_a_stable_order()
    {
        MemberHoldings[] usable = [Entry("c", Complete("t1")), Entry("a", Complete("t1")), Entry("b", Partial("t1"), Complete("t2"))];
        var step = PeerFeed.Empty.Next(usable, KeyOf("a"), [Complete("t1")]);

        var fed = Assert.Single(step.NewPeers);
        Assert.Equal("t1", fed.InfoHash);
        Assert.Equal([PeerOf("b"), PeerOf("c")], fed.Peers.Select(p => p.ToString()));
    }

    [Fact]
    public void The_tracker_gets_every_holder_of_every_public_torrent_this_member_included()
    {
        MemberHoldings[] usable =
        [
            Entry("a", Complete("t1")),
            Entry("b", Partial("t1"), Complete("secret", isPrivate: true)),
            Entry("c", Complete("t2")) with { PeerEndPoint = "not an endpoint" },
        ];
        var step = PeerFeed.Empty.Next(usable, KeyOf("a"), []);

        Assert.Equal(["t1"], step.TrackerPeers.Keys);
        Assert.Equal([(PeerOf("a"), true), (PeerOf("b"), false)], step.TrackerPeers["t1"].Select(p => (p.EndPoint.ToString(), p.Complete)));
        Assert.Empty(step.NewPeers);
    }

    [Fact]
    public void Unchanged_gossip_feeds_nothing_again_and_a_new_holder_feeds_the_whole_list()
    {
        var first = PeerFeed.Empty.Next([Entry("a", Complete("t1")), Entry("b", Complete("t1"))], KeyOf("a"), [Complete("t1")]);
        Assert.Single(first.NewPeers);

        var same = first.Feed.Next([Entry("b", Complete("t1")), Entry("a", Complete("t1"))], KeyOf("a"), [Complete("t1")]);
        Assert.Empty(same.NewPeers);

        var more = same.Feed.Next([Entry("a", Complete("t1")), Entry("b", Complete("t1")), Entry("c", Partial("t1"))], KeyOf("a"), [Complete("t1")]);
        Assert.Equal([PeerOf("b"), PeerOf("c")], Assert.Single(more.NewPeers).Peers.Select(p => p.ToString()));
    }

    [Fact]
    public void A_torrent_no_other_member_holds_is_fed_nothing_but_is_fed_once_one_does()
    {
        var alone = PeerFeed.Empty.Next([Entry("a", Complete("t1"))], KeyOf("a"), [Complete("t1")]);
        Assert.Empty(alone.NewPeers);
        Assert.Empty(alone.Feed.Sent["t1"]);

        var joined = alone.Feed.Next([Entry("a", Complete("t1")), Entry("b", Partial("t1"))], KeyOf("a"), [Complete("t1")]);
        Assert.Equal([PeerOf("b")], Assert.Single(joined.NewPeers).Peers.Select(p => p.ToString()));
    }

    [Fact]
    public void A_private_torrent_never_gets_members_as_peers()
    {
        var step = PeerFeed.Empty.Next([Entry("a", Complete("p", isPrivate: true)), Entry("b", Complete("p", isPrivate: true))], KeyOf("a"), [Complete("p", isPrivate: true)]);
        Assert.Empty(step.NewPeers);
        Assert.Empty(step.TrackerPeers);
    }
}
