using Akka.Actor;
using Akka.TestKit;
using Swarm.Actors.Clustering;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Clustering.ClusterMessages;

namespace Swarm.Actors.Tests.Clustering;

/// <summary>The replication actor's decisions as membership and availability change, fed cluster views directly. Time
/// is a <see cref="ManualClock"/>; the plan runs when the test asks for it (<see cref="EvaluateReplication"/>), so each
/// verdict is about one evaluation at a known time, never about how long the test waited.</summary>
public sealed class ReplicationActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly Dictionary<string, int> NoOverrides = [];

    /// <summary>For what is certain to come: generous, so that a loaded machine only makes it slower, never red.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ManualClock _clock = new();

    [Fact]
    public void A_member_chosen_for_a_short_torrent_asks_for_one_copy_once_the_shortage_has_lasted()
    {
        var target = CreateTestProbe();
        var actor = Start(target, OnDemand() with { ReplicationStableAfter = TimeSpan.FromSeconds(1.5) });

        actor.Tell(View("b", [Member("a", Complete("t1")), Member("b"), Member("c", Complete("x"))]));
        // Not at once: the shortage must last replication-stable-after.
        AssertAskedNothing(actor, target);
        _clock.Advance(TimeSpan.FromSeconds(1.4));
        AssertAskedNothing(actor, target);

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(["t1"], Evaluate(actor).CopiesAsked);
        var replicate = target.ExpectMsg<Replicate>(Bound);
        Assert.Equal("t1", replicate.InfoHash);
        Assert.Contains("1 complete", replicate.Why);

        // Asked once: not again on every evaluation while the copy gets going.
        _clock.Advance(TimeSpan.FromSeconds(2));
        AssertAskedNothing(actor, target);
    }

    [Fact]
    public void A_member_not_chosen_does_nothing()
    {
        var target = CreateTestProbe();
        var actor = Start(target, Immediate());
        // b holds more than c: c is the one chosen.
        actor.Tell(View("b", [Member("a", Complete("t1")), Member("b", Complete("x")), Member("c")]));
        AssertAskedNothing(actor, target);
        _clock.Advance(TimeSpan.FromMinutes(10));
        AssertAskedNothing(actor, target);
    }

    [Fact]
    public void A_holder_becoming_unreachable_makes_a_survivor_copy_and_its_return_stops_nothing_already_started()
    {
        var target = CreateTestProbe();
        var actor = Start(target, Immediate());
        MemberView[] healthy = [Member("a", Complete("t1")), Member("b", Complete("t1")), Member("c")];
        actor.Tell(View("c", healthy));
        AssertAskedNothing(actor, target);

        actor.Tell(View("c", [healthy[0], healthy[1] with { Usable = false }, healthy[2]]));
        Assert.Equal(["t1"], Evaluate(actor).CopiesAsked);
        Assert.Equal("t1", target.ExpectMsg<Replicate>(Bound).InfoHash);

        actor.Tell(View("c", [healthy[0], healthy[1], Member("c", Partial("t1"))]));
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        AssertAskedNothing(actor, target);
    }

    [Fact]
    public void A_shortage_that_ends_before_it_settles_starts_no_copy()
    {
        var target = CreateTestProbe();
        var actor = Start(target, OnDemand() with { ReplicationStableAfter = TimeSpan.FromSeconds(2) });
        MemberView[] healthy = [Member("a", Complete("t1")), Member("b", Complete("t1")), Member("c")];
        actor.Tell(View("c", [healthy[0], healthy[1] with { Usable = false }, healthy[2]]));
        AssertAskedNothing(actor, target);
        _clock.Advance(TimeSpan.FromSeconds(0.5));
        // b was only slow: reachable again before the shortage settled.
        actor.Tell(View("c", healthy));
        AssertAskedNothing(actor, target);
        _clock.Advance(TimeSpan.FromSeconds(3));
        AssertAskedNothing(actor, target);
    }

    [Fact]
    public void A_copy_that_never_shows_up_is_asked_for_again_after_the_retry_delay()
    {
        var target = CreateTestProbe();
        // The plan's own timer runs here (every 100 ms): the first request and the retry come from it.
        var actor = Start(target, Immediate() with { ReplicationRetryAfter = TimeSpan.FromSeconds(2), ReplicationEvaluateInterval = TimeSpan.FromMilliseconds(100) });
        actor.Tell(View("b", [Member("a", Complete("t1")), Member("b")]));
        Assert.Equal("t1", target.ExpectMsg<Replicate>(Bound).InfoHash);

        // Within the retry delay: evaluations ask nothing, however many run.
        _clock.Advance(TimeSpan.FromSeconds(1.9));
        AssertAskedNothing(actor, target);

        _clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal("t1", target.ExpectMsg<Replicate>(Bound).InfoHash);
    }

    [Fact]
    public void A_raised_replication_factor_makes_more_members_copy()
    {
        var target = CreateTestProbe();
        var actor = Start(target, Immediate());
        MemberView[] members = [Member("a", Complete("t1")), Member("b", Complete("t1")), Member("c")];
        actor.Tell(View("c", members));
        AssertAskedNothing(actor, target);
        actor.Tell(new ClusterView("c", members, new Dictionary<string, int> { ["t1"] = 3 }));
        Assert.Equal(["t1"], Evaluate(actor).CopiesAsked);
        Assert.Equal("t1", target.ExpectMsg<Replicate>(Bound).InfoHash);
    }

    [Fact]
    public void A_member_chosen_to_release_a_surplus_replica_asks_once_the_surplus_has_lasted_and_only_if_enabled()
    {
        MemberView[] members = [Member("a", Complete("t1")), Member("b", Complete("t1")), Member("c", Replica("t1"))];
        var target = CreateTestProbe();
        var actor = Start(target, Immediate() with { ReleaseSurplusAfter = TimeSpan.FromSeconds(1.5) });
        actor.Tell(View("c", members));
        AssertAskedNothing(actor, target);
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        Assert.Equal(["t1"], Evaluate(actor).ReleasesAsked);
        var release = target.ExpectMsg<ReleaseReplica>(Bound);
        Assert.Equal(("t1", "3 complete copies of 2 wanted"), (release.InfoHash, release.Why));

        var keeper = CreateTestProbe();
        var keeping = Start(keeper, Immediate() with { ReleaseSurplus = false, ReleaseSurplusAfter = TimeSpan.Zero });
        keeping.Tell(View("c", members));
        AssertAskedNothing(keeping, keeper);
        _clock.Advance(TimeSpan.FromSeconds(2.5));
        AssertAskedNothing(keeping, keeper);
    }

    private IActorRef Start(TestProbe target, Configuration.ClusterSettings settings) =>
        Sys.ActorOf(ReplicationActor.Props(target.Ref, settings, _clock));

    /// <summary>Evaluation only when the test asks: the timer is set far beyond any test.</summary>
    private static Configuration.ClusterSettings OnDemand() => TestNodes.Settings.Cluster with { ReplicationEvaluateInterval = TimeSpan.FromHours(1) };

    private static Configuration.ClusterSettings Immediate() => OnDemand() with { ReplicationStableAfter = TimeSpan.Zero };

    /// <summary>One evaluation; whatever it asked for is in the target's queue by the time its answer arrives.</summary>
    private ReplicationEvaluated Evaluate(IActorRef actor)
    {
        actor.Tell(new EvaluateReplication(), TestActor);
        return ExpectMsg<ReplicationEvaluated>(Bound);
    }

    private void AssertAskedNothing(IActorRef actor, TestProbe target)
    {
        var evaluated = Evaluate(actor);
        Assert.Equal((0, 0), (evaluated.CopiesAsked.Length, evaluated.ReleasesAsked.Length));
        Assert.False(target.HasMessages, "the target was asked for something");
    }

    private static ClusterView View(string self, MemberView[] members) => new(self, members, NoOverrides);

    private static MemberView Member(string name, params TorrentHolding[] torrents) =>
        new(name, true, new MemberHoldings(name, $"akka.tcp://swarm@{name}:1", name, $"{name}:2", torrents));

    private static TorrentHolding Complete(string hash) => new(hash, hash, 100, 10, 10, true);

    private static TorrentHolding Partial(string hash) => new(hash, hash, 100, 10, 4, false);

    private static TorrentHolding Replica(string hash) => new(hash, hash, 100, 10, 10, true, Replica: true);
}
