using Swarm.Actors.Configuration;
using Swarm.Actors.Peers;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class ChokerTests
{
    private static readonly ChokerSettings Settings = new(RegularSlots: 2, OptimisticSlots: 1, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));

    [Fact]
    public void Leeching_unchokes_the_peers_that_give_us_the_most()
    {
        var choker = new Choker(Settings, new Random(3));
        var peers = new[]
        {
            new ChokeCandidate(1, true, false, DownloadRate: 100, UploadRate: 0),
            new ChokeCandidate(2, true, false, DownloadRate: 900, UploadRate: 0),
            new ChokeCandidate(3, true, false, DownloadRate: 500, UploadRate: 0),
            new ChokeCandidate(4, true, false, DownloadRate: 50, UploadRate: 0),
        };

        var unchoked = choker.Rechoke(peers, seeding: false, rotateOptimistic: true);

        Assert.Contains(2, unchoked);
        Assert.Contains(3, unchoked);
        Assert.Equal(3, unchoked.Count);
        Assert.Single(choker.Optimistic);
        Assert.Contains(choker.Optimistic[0], new[] { 1, 4 });
    }

    [Fact]
    public void Seeding_ranks_by_upload_rate()
    {
        var choker = new Choker(Settings with { OptimisticSlots = 0 }, new Random(3));
        var peers = new[]
        {
            new ChokeCandidate(1, true, false, 0, UploadRate: 10),
            new ChokeCandidate(2, true, false, 0, UploadRate: 700),
            new ChokeCandidate(3, true, false, 0, UploadRate: 300),
        };

        Assert.Equal([2, 3], choker.Rechoke(peers, seeding: true, rotateOptimistic: false).Order());
    }

    [Fact]
    public void Uninterested_peers_and_seeds_stay_choked()
    {
        var choker = new Choker(Settings, new Random(3));
        var peers = new[]
        {
            new ChokeCandidate(1, false, false, 1000, 1000),
            new ChokeCandidate(2, true, true, 1000, 1000),
            new ChokeCandidate(3, true, false, 0, 0),
        };

        Assert.Equal([3], choker.Rechoke(peers, seeding: false, rotateOptimistic: true));
    }

    [Fact]
    public void The_optimistic_slot_rotates_among_choked_peers()
    {
        var choker = new Choker(Settings with { RegularSlots = 0 }, new Random(7));
        var peers = Enumerable.Range(1, 6).Select(i => new ChokeCandidate(i, true, false, 0, 0)).ToList();
        var seen = new HashSet<int>();
        for (var i = 0; i < 30; i++)
        {
            seen.UnionWith(choker.Rechoke(peers, seeding: false, rotateOptimistic: true));
        }

        Assert.True(seen.Count >= 4, $"optimistic unchoke should reach most peers over time, reached {seen.Count}");

        var kept = choker.Rechoke(peers, false, rotateOptimistic: true).Single();
        Assert.Equal(kept, choker.Rechoke(peers, false, rotateOptimistic: false).Single()); // stable between rotations
    }
}
