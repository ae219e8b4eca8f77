using Swarm.Actors.Peers;
using Swarm.Actors.Pieces;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class RequestTableTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Random_batches_of_changes_give_what_a_dictionary_gives()
    {
        var random = new Random(14);
        var table = RequestTable.Empty;
        var model = new Dictionary<(int Piece, int Begin), RequestPipeline.InFlight>();
        for (var round = 0; round < 2_000; round++)
        {
            var before = table;
            var beforeModel = new Dictionary<(int, int), RequestPipeline.InFlight>(model);
            switch (random.Next(4))
            {
                case 0:
                    // Set a batch, with repeats inside it: the last of a key wins.
                    var entries = Enumerable.Range(0, random.Next(0, 40))
                        .Select(_ => (Key: RandomKey(random), Value: new RequestPipeline.InFlight(random.Next(1, 16385), T0.AddSeconds(random.Next(100)))))
                        .ToList();
                    table = table.SetItems(entries);
                    foreach (var (key, value) in entries)
                    {
                        model[key] = value;
                    }

                    break;
                case 1:
                    var keys = Enumerable.Range(0, random.Next(0, 20)).Select(_ => random.Next(3) == 0 ? RandomKey(random) : AnyKeyOf(model, random)).ToList();
                    table = table.Remove(keys);
                    foreach (var key in keys)
                    {
                        model.Remove(key);
                    }

                    break;
                case 3:
                    // An assignment's blocks, sent at one time, in any order and with repeats.
                    var sentAt = T0.AddSeconds(random.Next(100));
                    var blocks = Enumerable.Range(0, random.Next(0, 40))
                        .Select(_ => RandomKey(random))
                        .Select(k => new BlockRef(k.Piece, k.Begin, random.Next(1, 16385)))
                        .ToList();
                    table = table.SetItems(blocks, sentAt);
                    foreach (var block in blocks)
                    {
                        model[(block.Piece, block.Begin)] = new RequestPipeline.InFlight(block.Length, sentAt);
                    }

                    break;
                default:
                    // Positions of live entries marked, each by its key: a table with removed positions among
                    // them must mark only the ones asked for, and count each once.
                    var removed = new bool[table.Positions];
                    foreach (var key in table.Keys.ToList())
                    {
                        if (random.Next(4) == 0)
                        {
                            removed[table.IndexOf(key)] = true;
                            model.Remove(key);
                        }
                    }

                    table = table.Without(removed);

                    break;
            }

            Assert.Equal(model.OrderBy(kv => kv.Key), table);
            Assert.Equal(model.Count, table.Count);
            foreach (var key in model.Keys.Take(5).Append(RandomKey(random)))
            {
                Assert.Equal(model.TryGetValue(key, out var expected), table.TryGetValue(key, out var actual));
                Assert.Equal(expected, actual);
                Assert.Equal(model.ContainsKey(key), table.IndexOf(key) >= 0);
            }

            Assert.Equal(beforeModel.OrderBy(kv => kv.Key), before); // the table it came from is unchanged
        }
    }

    [Fact]
    public void Keys_sort_by_piece_then_offset_and_index_into_the_values()
    {
        var table = RequestTable.Empty.SetItems(
        [
            ((2, 0), new RequestPipeline.InFlight(1, T0)),
            ((1, 32768), new RequestPipeline.InFlight(2, T0)),
            ((1, 16384), new RequestPipeline.InFlight(3, T0)),
            ((int.MaxValue, int.MaxValue), new RequestPipeline.InFlight(4, T0)),
        ]);

        Assert.Equal([(1, 16384), (1, 32768), (2, 0), (int.MaxValue, int.MaxValue)], table.Keys);
        Assert.Equal(2, table.ValueAt(table.IndexOf((1, 32768))).Length);
        Assert.Same(table, table.Remove((5, 0)));
        Assert.Same(table, table.SetItems([]));
        Assert.Throws<KeyNotFoundException>(() => table[(0, 0)]);
    }

    [Fact]
    public void Removing_a_batch_of_answered_requests_does_not_copy_the_table()
    {
        // A full pipeline (max-depth 500) and a batch of 16 answers, as each inbound batch of a fast peer brings.
        var table = RequestTable.Empty.SetItems(
            Enumerable.Range(0, 500).Select(i => ((i / 16, (i % 16) * 16384), new RequestPipeline.InFlight(16384, T0))).ToList());
        var removed = new bool[table.Positions];
        for (var i = 0; i < 16; i++)
        {
            removed[table.IndexOf((3, i * 16384))] = true;
        }

        table.Without(removed); // once, so that what runs the first time is not counted below
        var before = GC.GetAllocatedBytesForCurrentThread();
        var next = table.Without(removed);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(484, next.Count);
        Assert.False(next.ContainsKey((3, 0)));
        Assert.True(next.ContainsKey((4, 0)));
        Assert.True(allocated < 1024, $"{allocated} bytes allocated; a copy of the table is 500 x 32"); // the mask only
    }

    private static (int Piece, int Begin) RandomKey(Random random) => (random.Next(0, 8), random.Next(0, 16) * 16384);

    private static (int Piece, int Begin) AnyKeyOf(Dictionary<(int Piece, int Begin), RequestPipeline.InFlight> model, Random random) =>
        model.Count == 0 ? RandomKey(random) : model.Keys.ElementAt(random.Next(model.Count));
}
