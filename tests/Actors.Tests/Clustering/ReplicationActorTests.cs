using Akka.Actor;
using Swarm.Actors.Clustering;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Clustering.ClusterMessages;

namespace Swarm.Actors.Tests.Clustering;

/// <summary>The replication actor's decisions as membership and availability change, fed cluster views directly.</summary>
public sealed class ReplicationActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly Dictionary<string, int> NoOverrides = [];

    [Fact]
    public void A_member_chosen_for_a_short_torrent_asks_for_one_copy_once_the_shortage_has_lasted()
    {
        var target = CreateTestProbe();
        var actor = Sys.ActorOf(ReplicationActor.Props(target.Ref, TestNodes.Settings.Cluster with { ReplicationStableAfter = TimeSpan.FromSeconds(1.5) }));

        actor.Tell(View("b", [Member("a", Complete("t1")), Member("b"), Member("c", Complete("x"))]));
        // Not at once: the shortage must last replication-stable-after.
        target.ExpectNoMsg(TimeSpan.FromSeconds(1));
        var replicate = target.ExpectMsg<Replicate>(TimeSpan.FromSeconds(5));
        Assert.Equal("t1", replicate.InfoHash);
        Assert.Contains("1 complete", replicate.Why);
        // Asked once: not again every second while the copy gets going.
        target.ExpectNoMsg(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void A_member_not_chosen_does_nothing()
    {
        var target = CreateTestProbe();
        var actor = Sys.ActorOf(ReplicationActor.Props(target.Ref, Immediate()));
        // b holds more than c: c is the one chosen.
        actor.Tell(View("b", [Member("a", Complete("t1")), Member("b", Complete("x")), Member("c")]));
        target.ExpectNoMsg(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void A_holder_becoming_unreachable_makes_a_survivor_copy_and_its_return_stops_nothing_already_started()
    {
        var target = CreateTestProbe();
        var actor = Sys.ActorOf(ReplicationActor.Props(target.Ref, Immediate()));
        MemberView[] healthy = [Member("a", Complete("t1")), Member("b", Complete("t1")), Member("c")];
        actor.Tell(View("c", healthy));
        target.ExpectNoMsg(TimeSpan.FromSeconds(1.5));

        actor.Tell(View("c", [healthy[0], healthy[1] with { Usable = false }, healthy[2]]));
        Assert.Equal("t1", target.ExpectMsg<Replicate>(TimeSpan.FromSeconds(5)).InfoHash);

        actor.Tell(View("c", [healthy[0], healthy[1], Member("c", Partial("t1"))]));
        target.ExpectNoMsg(TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public void A_shortage_that_ends_before_it_settles_starts_no_copy()
    {
        var target = CreateTestProbe();
        var actor = Sys.ActorOf(ReplicationActor.Props(target.Ref, TestNodes.Settings.Cluster with { ReplicationStableAfter = TimeSpan.FromSeconds(2) }));
        MemberView[] healthy = [Member("a", Complete("t1")), Member("b", Complete("t1")), Member("c")];
        actor.Tell(View("c", [healthy[0], healthy[1] with { Usable = false }, healthy[2]]));
        Thread.Sleep(500);
        // b was only slow: reachable again before the shortage settled.
        actor.Tell(View("c", healthy));
        target.ExpectNoMsg(TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void A_copy_that_never_shows_up_is_asked_for_again_after_the_retry_delay()
    {
        var target = CreateTestProbe();
        var actor = Sys.ActorOf(ReplicationActor.Props(target.Ref, Immediate() with { ReplicationRetryAfter = TimeSpan.FromSeconds(2) }));
        actor.Tell(View("b", [Member("a", Complete("t1")), Member("b")]));
        target.ExpectMsg<Replicate>(TimeSpan.FromSeconds(5));
        target.ExpectNoMsg(TimeSpan.FromSeconds(1));
        // The plan runs on a one-second tick, so the retry comes 2 to 3 s after the first request; a loaded machine
        // delays ticks further. Generous, and still far below the default retry of two minutes.
        target.ExpectMsg<Replicate>(TimeSpan.FromSeconds(8));
    }

    [Fact]
    public void A_raised_replication_factor_makes_more_members_copy()
    {
        var target = CreateTestProbe();
        var actor = Sys.ActorOf(ReplicationActor.Props(target.Ref, Immediate()));
        MemberView[] members = [Member("a", Complete("t1")), Member("b", Complete("t1")), Member("c")];
        actor.Tell(View("c", members));
        target.ExpectNoMsg(TimeSpan.FromSeconds(1.5));
        actor.Tell(new ClusterView("c", members, new Dictionary<string, int> { ["t1"] = 3 }));
        Assert.Equal("t1", target.ExpectMsg<Replicate>(TimeSpan.FromSeconds(3)).InfoHash);
    }

    [Fact]
    public void A_member_chosen_to_release_a_surplus_replica_asks_once_the_surplus_has_lasted_and_only_if_enabled()
    {
        MemberView[] members = [Member("a", Complete("t1")), Member("b", Complete("t1")), Member("c", Replica("t1"))];
        var target = CreateTestProbe();
        var actor = Sys.ActorOf(ReplicationActor.Props(target.Ref, Immediate() with { ReleaseSurplusAfter = TimeSpan.FromSeconds(1.5) }));
        actor.Tell(View("c", members));
        target.ExpectNoMsg(TimeSpan.FromSeconds(1));
        var release = target.ExpectMsg<ReleaseReplica>(TimeSpan.FromSeconds(5));
        Assert.Equal(("t1", "3 complete copies of 2 wanted"), (release.InfoHash, release.Why));

        var keeper = CreateTestProbe();
        var keeping = Sys.ActorOf(ReplicationActor.Props(keeper.Ref, Immediate() with { ReleaseSurplus = false, ReleaseSurplusAfter = TimeSpan.Zero }));
        keeping.Tell(View("c", members));
        keeper.ExpectNoMsg(TimeSpan.FromSeconds(2.5));
    }

    private static Configuration.ClusterSettings Immediate() => TestNodes.Settings.Cluster with { ReplicationStableAfter = TimeSpan.Zero };

    private static ClusterView View(string self, MemberView[] members) => new(self, members, NoOverrides);

    private static MemberView Member(string name, params TorrentHolding[] torrents) =>
        new(name, true, new MemberHoldings(name, $"akka.tcp://swarm@{name}:1", name, $"{name}:2", torrents));

    private static TorrentHolding Complete(string hash) => new(hash, hash, 100, 10, 10, true);

    private static TorrentHolding Partial(string hash) => new(hash, hash, 100, 10, 4, false);

    private static TorrentHolding Replica(string hash) => new(hash, hash, 100, 10, 10, true, Replica: true);
}
