using Swarm.Actors.Clustering;
using Xunit;
using static Swarm.Actors.Catalog.CatalogMessages;
using static Swarm.Actors.Tests.Clustering.ClusterFixtures;

namespace Swarm.Actors.Tests.Clustering;

public sealed class SearchMergeTests
{
    [Fact]
    public void Hits_are_merged_by_info_hash_and_ranked_by_complete_copies_then_name()
    {
        (string, IReadOnlyList<CatalogHit>?)[] answers =
        [
            ("m1", [new CatalogHit("t1", "alpha", 10, 1), new CatalogHit("t2", "beta", 20, 1)]),
            ("m2", [new CatalogHit("t2", "beta (other name)", 21, 1), new CatalogHit("t3", "gamma", 30, 1)]),
        ];
        MemberHoldings[] usable = [Entry("a", Complete("t2")), Entry("b", Complete("t2"), Partial("t1")), Entry("c", Complete("t3"))];

        var merged = SearchMerge.Merge(answers, usable);

        Assert.Equal(["t2", "t3", "t1"], merged.Results.Select(r => r.InfoHash));
        var t2 = merged.Results[0];
        // Name and size from the first member asked that matched it.
        Assert.Equal(("beta", 20L, 2), (t2.Name, t2.Size, t2.Copies));
        Assert.Equal(["m1", "m2"], t2.Members);
        Assert.Equal(0, merged.Results[2].Copies);
        Assert.Empty(merged.Unanswered);
    }

    [Fact]
    public void Members_that_did_not_answer_are_named_and_contribute_nothing()
    {
        (string, IReadOnlyList<CatalogHit>?)[] answers = [("m1", [new CatalogHit("t1", "alpha", 10, 1)]), ("m2", null), ("m3", [])];
        var merged = SearchMerge.Merge(answers, []);
        Assert.Equal(["m1"], Assert.Single(merged.Results).Members);
        Assert.Equal(["m2"], merged.Unanswered);
    }

    [Fact]
    public void Equal_copies_are_ordered_by_name()
    {
        (string, IReadOnlyList<CatalogHit>?)[] answers = [("m1", [new CatalogHit("t1", "zeta", 1, 1), new CatalogHit("t2", "alpha", 1, 1)])];
        Assert.Equal(["alpha", "zeta"], SearchMerge.Merge(answers, []).Results.Select(r => r.Name));
    }
}
