using Swarm.Actors.Configuration;
using Swarm.Actors.Peers;
using Swarm.Actors.Pieces;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class RequestPipelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly PipelineSettings Settings = new(InitialDepth: 32, MinDepth: 4, MaxDepth: 500, SecondsOfData: 1.0, RequestTimeout: TimeSpan.FromSeconds(30));
    private const int Block = 16384;

    [Fact]
    public void Asks_for_the_whole_window_once_and_not_again_until_answered()
    {
        var (pipeline, ask) = RequestPipeline.Start(32).AskForBlocks(canRequest: true);
        Assert.Equal(32, ask);
        Assert.True(pipeline.AwaitingBlocks);

        Assert.Equal(0, pipeline.AskForBlocks(canRequest: true).Ask);
        Assert.Equal(32, pipeline.AskAnswered().AskForBlocks(canRequest: true).Ask);
    }

    [Fact]
    public void Asks_nothing_while_it_cannot_request()
    {
        var (pipeline, ask) = RequestPipeline.Start(32).AskForBlocks(canRequest: false);
        Assert.Equal(0, ask);
        Assert.False(pipeline.AwaitingBlocks);
    }

    [Fact]
    public void Asks_in_chunks_of_at_least_a_quarter_of_the_window()
    {
        var pipeline = SentBlocks(RequestPipeline.Start(32), 25);
        Assert.Equal(0, pipeline.AskForBlocks(true).Ask); // 7 free: less than 8

        pipeline = pipeline.Arrived(0, 0).Next;
        Assert.Equal(8, pipeline.AskForBlocks(true).Ask);
    }

    [Fact]
    public void The_peers_reqq_caps_the_window()
    {
        var pipeline = RequestPipeline.Start(32).WithPeerQueueLimit(10);
        Assert.Equal(10, pipeline.AskForBlocks(true).Ask);

        // A quarter of the capped window is 2: 2 free blocks are worth an ask, 1 is not.
        Assert.Equal(2, SentBlocks(pipeline, 8).AskForBlocks(true).Ask);
        Assert.Equal(0, SentBlocks(pipeline, 9).AskForBlocks(true).Ask);
    }

    [Fact]
    public void A_block_that_arrives_reports_the_length_we_asked_for_once()
    {
        var pipeline = RequestPipeline.Start(32).Sent(new BlockRef(3, Block, Block), T0);

        var (next, requested) = pipeline.Arrived(3, Block);
        Assert.Equal(Block, requested);
        Assert.Empty(next.Outstanding);
        Assert.Null(next.Arrived(3, Block).RequestedLength); // a duplicate, or late after a cancel
    }

    [Fact]
    public void Removing_says_whether_the_request_was_in_flight()
    {
        var pipeline = RequestPipeline.Start(32).Sent(new BlockRef(1, 0, Block), T0);

        var (next, was) = pipeline.Remove(1, 0);
        Assert.True(was);
        Assert.False(next.Remove(1, 0).WasOutstanding);
    }

    [Fact]
    public void Releasing_all_gives_back_every_request_in_flight()
    {
        var pipeline = SentBlocks(RequestPipeline.Start(32), 3);

        var (next, released) = pipeline.ReleaseAll();

        Assert.Empty(next.Outstanding);
        Assert.Equal([new BlockRef(0, 0, Block), new BlockRef(0, Block, Block), new BlockRef(0, 2 * Block, Block)], released.OrderBy(b => b.Begin));
        Assert.Empty(next.ReleaseAll().Released);
    }

    [Fact]
    public void Only_requests_older_than_the_timeout_expire()
    {
        var pipeline = RequestPipeline.Start(32)
            .Sent(new BlockRef(0, 0, Block), T0)
            .Sent(new BlockRef(0, Block, Block), T0 + TimeSpan.FromSeconds(20));

        Assert.Empty(pipeline.Expire(T0 + TimeSpan.FromSeconds(30), Settings.RequestTimeout).Expired); // exactly the timeout: not yet

        var (next, expired) = pipeline.Expire(T0 + TimeSpan.FromSeconds(31), Settings.RequestTimeout);
        Assert.Equal([new BlockRef(0, 0, Block)], expired);
        Assert.Equal([(0, Block)], next.Outstanding.Keys);
    }

    [Fact]
    public void Depth_follows_the_rate_and_halves_at_most_per_tick_within_bounds()
    {
        var pipeline = RequestPipeline.Start(32);

        // 100 blocks a second with one second of data wanted: 100 in flight.
        Assert.Equal(100, pipeline.Adapt(100.0 * Block, Settings, Block).Depth);
        // A peer gone quiet: halves, 32 -> 16 -> 8 -> 4, and never under min-depth.
        var depths = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            pipeline = pipeline.Adapt(0, Settings, Block);
            depths.Add(pipeline.Depth);
        }

        Assert.Equal([16, 8, 4, 4], depths);
        Assert.Equal(500, pipeline.Adapt(10_000.0 * Block, Settings, Block).Depth);
    }

    private static RequestPipeline SentBlocks(RequestPipeline pipeline, int count)
    {
        for (var i = 0; i < count; i++)
        {
            pipeline = pipeline.Sent(new BlockRef(0, i * Block, Block), T0);
        }

        return pipeline;
    }
}
