using Akka.Actor;
using Swarm.Actors.Clustering;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Catalog.CatalogMessages;
using static Swarm.Actors.Clustering.ClusterMessages;
using static Swarm.Actors.Tests.Clustering.ClusterFixtures;

namespace Swarm.Actors.Tests.Clustering;

/// <summary>A cluster search as a scatter-gather over members reached by real remoting.</summary>
public sealed class ClusterSearchActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(RemoteMembers.Config, output: output)
{
    private readonly RemoteMembers _members = new();

    [Fact]
    public void Every_member_is_asked_and_the_answers_are_merged_as_soon_as_all_came()
    {
        var one = _members.Start("one", (m, self) => m is SearchMember s && s.Words.SequenceEqual(["big", "file"]) ? new MemberHits(self, [new CatalogHit("t1", "big file", 10, 1)]) : null);
        var two = _members.Start("two", (m, self) => m is SearchMember ? new MemberHits(self, [new CatalogHit("t1", "big file", 10, 1), new CatalogHit("t2", "big file 2", 20, 1)]) : null);

        // A timeout far beyond the test: the answer must come from the answers alone.
        Sys.ActorOf(ClusterSearchActor.Props([one, two], ["big", "file"], [Entry("x", Complete("t2")), Entry("y", Complete("t2"))], TimeSpan.FromMinutes(5), TestActor));

        var results = ExpectMsg<SearchResults>(TimeSpan.FromSeconds(20));
        Assert.Equal([("t2", 2, new[] { two }), ("t1", 0, new[] { one, two }.Order(StringComparer.Ordinal).ToArray())], results.Results.Select(r => (r.InfoHash, r.Copies, r.Members)));
        Assert.Empty(results.Unanswered);
    }

    [Fact]
    public void A_member_that_does_not_answer_in_time_is_named_and_the_others_are_merged()
    {
        var one = _members.Start("one", (m, self) => m is SearchMember ? new MemberHits(self, [new CatalogHit("t1", "big file", 10, 1)]) : null);
        var silent = _members.Start("silent", (_, _) => null);

        Sys.ActorOf(ClusterSearchActor.Props([one, silent], ["big"], [], TimeSpan.FromSeconds(2), TestActor));

        var results = ExpectMsg<SearchResults>(TimeSpan.FromSeconds(20));
        Assert.Equal(["t1"], results.Results.Select(r => r.InfoHash));
        Assert.Equal([silent], results.Unanswered);
    }

    [Fact]
    public void A_member_whose_catalog_fails_fails_the_search()
    {
        var failing = _members.Start("failing", (m, _) => m is SearchMember ? new Status.Failure(new InvalidOperationException("catalog down")) : null);
        Sys.ActorOf(ClusterSearchActor.Props([failing], ["big"], [], TimeSpan.FromMinutes(5), TestActor));
        Assert.Equal("catalog down", ExpectMsg<Status.Failure>(TimeSpan.FromSeconds(20)).Cause.Message);
    }

    [Fact]
    public void A_search_with_no_member_to_ask_answers_at_once_with_nothing()
    {
        Sys.ActorOf(ClusterSearchActor.Props([], ["big"], [], TimeSpan.FromMinutes(5), TestActor));
        var results = ExpectMsg<SearchResults>();
        Assert.Equal((0, 0), (results.Results.Length, results.Unanswered.Length));
    }

    protected override void AfterAll()
    {
        _members.Dispose();
        base.AfterAll();
    }

}
