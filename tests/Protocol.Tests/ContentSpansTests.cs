using Swarm.Protocol.Metainfo;
using Xunit;

namespace Swarm.Protocol.Tests;

public sealed class ContentSpansTests
{
    // Files of 10, 0, 0, 5 and 20 bytes: offsets 0, 10, 10, 10, 15.
    private static readonly long[] Lengths = [10, 0, 0, 5, 20];
    private static readonly long[] Starts = [0, 10, 10, 10, 15];

    [Fact]
    public void A_range_across_files_is_split_per_file_skipping_empty_ones()
    {
        var parts = ContentSpans.Map(Starts, Lengths, offset: 8, length: 10).ToList();
        Assert.Equal(
            [new ContentSpan(0, 8, 0, 2), new ContentSpan(3, 0, 2, 5), new ContentSpan(4, 0, 7, 3)],
            parts);
    }

    [Fact]
    public void A_range_starting_where_empty_files_sit_lands_in_the_next_real_file()
    {
        Assert.Equal([new ContentSpan(3, 0, 0, 5)], ContentSpans.Map(Starts, Lengths, offset: 10, length: 5));
    }

    [Fact]
    public void A_range_inside_one_file_is_one_part()
    {
        Assert.Equal([new ContentSpan(4, 5, 0, 10)], ContentSpans.Map(Starts, Lengths, offset: 20, length: 10));
    }

    [Fact]
    public void A_range_past_the_end_is_refused()
    {
        Assert.Throws<EndOfStreamException>(() => ContentSpans.Map(Starts, Lengths, offset: 30, length: 10).ToList());
    }
}
