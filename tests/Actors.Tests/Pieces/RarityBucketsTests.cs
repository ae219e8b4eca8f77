using Swarm.Actors.Pieces;
using Xunit;

namespace Swarm.Actors.Tests.Pieces;

public sealed class RarityBucketsTests
{
    [Fact]
    public void Finds_a_piece_of_the_rarest_group_the_caller_can_use()
    {
        var buckets = new RarityBuckets(6);
        for (var p = 0; p < 6; p++)
        {
            buckets.Add(p);
            for (var a = 0; a < p + 1; a++)
            {
                buckets.Increment(p); // piece p is held by p + 1 peers
            }
        }

        Assert.Equal(0, buckets.FindRarest(_ => true, new Random(1)));
        Assert.Equal(3, buckets.FindRarest(p => p >= 3, new Random(1)));
        Assert.Equal(-1, buckets.FindRarest(p => p > 5, new Random(1)));
    }

    [Fact]
    public void Availability_changes_move_a_candidate_between_groups()
    {
        var buckets = new RarityBuckets(3);
        buckets.Add(0);
        buckets.Add(1);
        buckets.Increment(0);
        buckets.Increment(0);
        buckets.Increment(1);
        Assert.Equal(1, buckets.FindRarest(_ => true, new Random(1)));

        buckets.Increment(1);
        buckets.Increment(1);
        buckets.Decrement(0);
        Assert.Equal(0, buckets.FindRarest(_ => true, new Random(1)));
        Assert.Equal(1, buckets.Availability(0));
        Assert.Equal(3, buckets.Availability(1));
    }

    [Fact]
    public void A_removed_piece_is_never_found_but_keeps_its_availability()
    {
        var buckets = new RarityBuckets(3);
        buckets.Add(0);
        buckets.Add(1);
        buckets.Add(2);
        buckets.Increment(1);
        buckets.Remove(1);
        buckets.Increment(1);

        Assert.False(buckets.Contains(1));
        Assert.Equal(2, buckets.Count);
        Assert.Equal(2, buckets.Availability(1));
        for (var seed = 0; seed < 20; seed++)
        {
            Assert.NotEqual(1, buckets.FindRarest(_ => true, new Random(seed)));
            Assert.NotEqual(1, buckets.FindRandom(_ => true, new Random(seed), 4));
        }

        buckets.Add(1);
        Assert.Equal(1, buckets.FindRarest(p => p == 1, new Random(1)));
    }

    [Fact]
    public void Pieces_nobody_announced_are_tried_after_announced_ones()
    {
        var buckets = new RarityBuckets(2);
        buckets.Add(0);
        buckets.Add(1);
        buckets.Increment(1);
        buckets.Increment(1);
        buckets.Increment(1);

        Assert.Equal(1, buckets.FindRarest(_ => true, new Random(1)));
        Assert.Equal(0, buckets.FindRarest(p => p == 0, new Random(1)));
    }
}
