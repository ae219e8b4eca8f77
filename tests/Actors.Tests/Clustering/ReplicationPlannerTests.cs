using Swarm.Actors.Clustering;
using Xunit;

namespace Swarm.Actors.Tests.Clustering;

public sealed class ReplicationPlannerTests
{
    private static readonly Dictionary<string, int> NoOverrides = [];

    [Fact]
    public void A_torrent_with_enough_complete_copies_needs_nothing()
    {
        var plans = ReplicationPlanner.Plan([Member("a", Complete("t1")), Member("b", Complete("t1")), Member("c")], NoOverrides, 2);
        var plan = Assert.Single(plans);
        Assert.Equal((2, 0, 0), (plan.Complete, plan.Missing, plan.Chosen.Count));
    }

    [Fact]
    public void A_short_torrent_goes_to_the_least_loaded_members_in_a_stable_order()
    {
        var members = new[]
        {
            Member("a", Complete("t1"), Complete("x"), Complete("y")),
            Member("b", Complete("x"), Complete("y")),
            Member("c", Complete("x")),
            Member("d", Complete("z")),
        };
        var plan = ReplicationPlanner.Plan(members, new Dictionary<string, int> { ["t1"] = 3 }, 1).Single(p => p.InfoHash == "t1");
        // c and d hold one torrent each; d sorts after c.
        Assert.Equal(["c", "d"], plan.Chosen);
        Assert.Equal(plan.Chosen, ReplicationPlanner.Plan([.. members.Reverse()], new Dictionary<string, int> { ["t1"] = 3 }, 1).Single(p => p.InfoHash == "t1").Chosen);
    }

    [Fact]
    public void Copies_on_unreachable_members_do_not_count_and_such_members_are_never_chosen()
    {
        var members = new[] { Member("a", Complete("t1")), Member("b", Complete("t1")) with { Usable = false }, Member("c"), Member("d") with { Usable = false } };
        var plan = Assert.Single(ReplicationPlanner.Plan(members, NoOverrides, 2));
        Assert.Equal(1, plan.Complete);
        Assert.Equal(["c"], plan.Chosen);
    }

    [Fact]
    public void A_copy_in_progress_counts_so_no_second_one_starts()
    {
        var plan = Assert.Single(ReplicationPlanner.Plan([Member("a", Complete("t1")), Member("b", Partial("t1")), Member("c")], NoOverrides, 2));
        Assert.Equal((1, 1, 0), (plan.Complete, plan.InProgress, plan.Chosen.Count));
    }

    [Fact]
    public void Without_a_complete_copy_nothing_is_started()
    {
        var plan = Assert.Single(ReplicationPlanner.Plan([Member("a", Partial("t1")), Member("b"), Member("c")], NoOverrides, 3));
        Assert.Empty(plan.Chosen);
    }

    [Fact]
    public void A_member_that_has_not_published_yet_is_neither_counted_nor_chosen()
    {
        var plan = Assert.Single(ReplicationPlanner.Plan([Member("a", Complete("t1")), new MemberView("starting", true, null), Member("b")], NoOverrides, 2));
        Assert.Equal(["b"], plan.Chosen);
    }

    [Fact]
    public void A_member_without_room_for_the_torrent_is_not_chosen()
    {
        var full = Member("b") with { Holdings = Member("b").Holdings! with { FreeBytes = 50 } };
        // b holds nothing, so it would come first, but a 100-byte torrent does not fit in its 50 free bytes.
        var plan = ReplicationPlanner.Plan([Member("a", Complete("t1")), full, Member("c", Complete("x"))], new Dictionary<string, int> { ["x"] = 1 }, 2).Single(p => p.InfoHash == "t1");
        Assert.Equal(["c"], plan.Chosen);
    }

    [Fact]
    public void Private_torrents_are_never_copied()
    {
        var members = new[] { Member("a", Complete("t1") with { Private = true }), Member("b") };
        Assert.Empty(ReplicationPlanner.Plan(members, NoOverrides, 2));
    }

    [Fact]
    public void Several_short_torrents_spread_over_members()
    {
        var members = new[] { Member("a", Complete("t1"), Complete("t2")), Member("b"), Member("c") };
        var chosen = ReplicationPlanner.Plan(members, NoOverrides, 2).Select(p => Assert.Single(p.Chosen)).ToList();
        Assert.Equal(["b", "c"], chosen);
    }

    [Fact]
    public void A_factor_larger_than_the_cluster_takes_every_member_and_no_more()
    {
        var plan = Assert.Single(ReplicationPlanner.Plan([Member("a", Complete("t1")), Member("b")], new Dictionary<string, int> { ["t1"] = 5 }, 2));
        Assert.Equal(["b"], plan.Chosen);
        Assert.Equal(4, plan.Missing);
    }

    [Fact]
    public void A_surplus_releases_replicas_of_the_most_loaded_members_and_never_a_persons_copy()
    {
        var members = new[]
        {
            Member("a", Complete("t1")),
            Member("b", Replica("t1"), Complete("x")),
            Member("c", Replica("t1"), Complete("x"), Complete("y")),
            Member("d", Replica("t1")),
        };
        // 4 complete copies, 2 wanted: the replicas of c (3 torrents) and b (2) go; a's own copy stays.
        var plan = Assert.Single(ReplicationPlanner.Plan(members, NoOverrides, 2), p => p.InfoHash == "t1");
        Assert.Equal(["c", "b"], plan.Released);
        Assert.Empty(plan.Chosen);

        // A person's copies only: the surplus is kept.
        var own = ReplicationPlanner.Plan([Member("a", Complete("t1")), Member("b", Complete("t1")), Member("c", Complete("t1"))], NoOverrides, 2);
        Assert.Empty(Assert.Single(own).Released);
    }

    [Fact]
    public void Nothing_is_released_while_a_copy_is_in_progress_or_from_an_unreachable_member()
    {
        var copying = ReplicationPlanner.Plan([Member("a", Complete("t1")), Member("b", Replica("t1")), Member("c", Replica("t1")), Member("d", Partial("t1"))], NoOverrides, 2);
        Assert.Empty(Assert.Single(copying).Released);

        // c is unreachable: its copy does not count, so 2 complete copies are exactly enough.
        var unreachable = ReplicationPlanner.Plan([Member("a", Complete("t1")), Member("b", Replica("t1")), Member("c", Replica("t1")) with { Usable = false }], NoOverrides, 2);
        Assert.Empty(Assert.Single(unreachable).Released);
    }

    private static MemberView Member(string name, params TorrentHolding[] torrents) =>
        new(name, true, new MemberHoldings(name, $"akka.tcp://swarm@{name}:1", name, $"{name}:2", torrents));

    private static TorrentHolding Complete(string hash) => new(hash, hash, 100, 10, 10, true);

    private static TorrentHolding Partial(string hash) => new(hash, hash, 100, 10, 4, false);

    private static TorrentHolding Replica(string hash) => new(hash, hash, 100, 10, 10, true, Replica: true);
}
