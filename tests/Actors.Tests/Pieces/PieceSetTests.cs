using Swarm.Actors.Pieces;
using Xunit;

namespace Swarm.Actors.Tests.Pieces;

public sealed class PieceSetTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    public void Pieces_added_and_removed_are_counted_listed_and_written_as_a_bitfield(int count)
    {
        var set = new PieceSet(count);
        var expected = new SortedSet<int>();
        var random = new Random(count);
        for (var n = 0; n < count * 2; n++)
        {
            var piece = random.Next(count);
            if (random.Next(3) == 0)
            {
                Assert.Equal(expected.Remove(piece), set.Remove(piece));
            }
            else
            {
                Assert.Equal(expected.Add(piece), set.Add(piece));
            }
        }

        Assert.Equal(expected.Count, set.Count);
        Assert.Equal(expected, set.Indices());
        Assert.All(Enumerable.Range(0, count), p => Assert.Equal(expected.Contains(p), set[p]));
        var bytes = set.ToBytes();
        Assert.Equal((count + 7) / 8, bytes.Length);
        Assert.Equal(expected, PieceSet.FromBytes(bytes, count).Indices());

        var copy = set.Clone();
        copy.Add(0);
        copy.Remove(count - 1);
        Assert.Equal(expected, set.Indices());
        Assert.Equal(expected.Count, set.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(70)]
    public void A_full_set_holds_every_piece_and_nothing_past_the_last(int count)
    {
        var full = PieceSet.Full(count);

        Assert.True(full.IsComplete);
        Assert.Equal(Enumerable.Range(0, count), full.Indices());
        Assert.Throws<ArgumentOutOfRangeException>(() => full[count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => full.Add(count));
        Assert.False(full.Add(count - 1));
        var bytes = full.ToBytes();
        Assert.Equal(0, bytes[^1] & ((1 << ((8 - (count % 8)) % 8)) - 1)); // spare bits clear (BEP 3)
    }
}
