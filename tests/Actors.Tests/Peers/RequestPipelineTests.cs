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
    public void An_assignment_sent_in_one_step_is_in_flight_like_blocks_sent_one_by_one()
    {
        var blocks = Enumerable.Range(0, 20).Select(i => new BlockRef(i / 16, (i % 16) * Block, Block)).ToList();
        var together = RequestPipeline.Start(32).Sent(blocks, T0);
        var oneByOne = blocks.Aggregate(RequestPipeline.Start(32), (p, b) => p.Sent(b, T0));

        Assert.Equal(oneByOne.Outstanding.OrderBy(kv => kv.Key), together.Outstanding.OrderBy(kv => kv.Key));
        var (next, verdict, _) = together.Arrived(1, 3 * Block, Block);
        Assert.Equal(BlockVerdict.Requested, verdict);
        Assert.Equal(19, next.Outstanding.Count);
        Assert.Same(together, together.Sent([], T0));
    }

    [Fact]
    public void A_run_of_blocks_vetted_in_one_step_gets_the_verdicts_of_blocks_taken_one_by_one()
    {
        // In flight: piece 0 blocks 0..5; 4 and 5 given up (cancelled): one late and right, one late of another length.
        var pipeline = SentBlocks(RequestPipeline.Start(32), 6).Remove(0, 4 * Block).Next.Remove(0, 5 * Block).Next;
        BlockRef[] run =
        [
            new(0, Block, Block), // requested
            new(0, 0, 100), // requested, another length: dropped, and the request freed for another peer
            new(0, 4 * Block, Block), // given up, still taken
            new(0, 4 * Block, Block), // the same again: no longer ours
            new(7, 0, Block), // never asked for
            new(0, 5 * Block, 10), // given up, another length
            new(0, 2 * Block, Block), // requested
        ];

        var (together, verdicts, released) = pipeline.Arrived(run);

        var oneByOne = pipeline;
        var expected = new List<BlockVerdict>();
        var expectedReleased = new List<BlockRef>();
        foreach (var b in run)
        {
            (oneByOne, var verdict, var freed) = oneByOne.Arrived(b.Piece, b.Begin, b.Length);
            expected.Add(verdict);
            if (freed is { } f)
            {
                expectedReleased.Add(f);
            }
        }

        Assert.Equal([BlockVerdict.Requested, BlockVerdict.WrongLength, BlockVerdict.GivenUp, BlockVerdict.Unrequested, BlockVerdict.Unrequested, BlockVerdict.WrongLength, BlockVerdict.Requested], verdicts);
        Assert.Equal(expected, verdicts);
        Assert.Equal([new BlockRef(0, 0, Block)], released);
        Assert.Equal(expectedReleased, released);
        Assert.Equal(oneByOne.Outstanding.OrderBy(kv => kv.Key), together.Outstanding.OrderBy(kv => kv.Key));
        Assert.Equal([(0, 3 * Block)], together.Outstanding.Keys);
        Assert.Empty(together.GivenUp);
        Assert.Equal(6, pipeline.Outstanding.Count + pipeline.GivenUp.Count); // the pipeline it started from is unchanged
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

        pipeline = pipeline.Arrived(0, 0, Block).Next;
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
    public void A_block_we_asked_for_is_accepted_once_and_a_second_copy_is_unrequested()
    {
        var pipeline = RequestPipeline.Start(32).Sent(new BlockRef(3, Block, Block), T0);

        var (next, verdict, released) = pipeline.Arrived(3, Block, Block);
        Assert.Equal(BlockVerdict.Requested, verdict);
        Assert.Null(released);
        Assert.Empty(next.Outstanding);
        Assert.Equal(BlockVerdict.Unrequested, next.Arrived(3, Block, Block).Verdict);
    }

    [Fact]
    public void A_block_never_asked_of_this_peer_is_unrequested_whatever_its_offset_or_length()
    {
        var pipeline = RequestPipeline.Start(32).Sent(new BlockRef(3, 0, Block), T0);

        Assert.Equal(BlockVerdict.Unrequested, pipeline.Arrived(3, Block, Block).Verdict); // same piece, other offset
        Assert.Equal(BlockVerdict.Unrequested, pipeline.Arrived(4, 0, Block).Verdict); // other piece
        Assert.Equal(BlockVerdict.Unrequested, pipeline.Arrived(3, 1, Block - 1).Verdict); // inside the requested block
        Assert.Single(pipeline.Arrived(4, 0, Block).Next.Outstanding); // and our request stays in flight
    }

    [Theory]
    [InlineData(100)] // short
    [InlineData(Block + 1)] // long
    [InlineData(0)]
    public void A_block_of_another_length_than_asked_is_refused_and_its_request_given_back(int length)
    {
        var asked = new BlockRef(3, 0, Block);
        var (next, verdict, released) = RequestPipeline.Start(32).Sent(asked, T0).Arrived(3, 0, length);

        Assert.Equal(BlockVerdict.WrongLength, verdict);
        Assert.Equal(asked, released); // for another peer to serve
        Assert.Empty(next.Outstanding);
        Assert.Equal(BlockVerdict.Unrequested, next.Arrived(3, 0, Block).Verdict); // answered once, even if wrongly
    }

    [Fact]
    public void A_short_final_block_is_accepted_at_the_length_we_asked_for()
    {
        var pipeline = RequestPipeline.Start(32).Sent(new BlockRef(9, 2 * Block, 1234), T0);

        Assert.Equal(BlockVerdict.WrongLength, pipeline.Arrived(9, 2 * Block, Block).Verdict);
        Assert.Equal(BlockVerdict.Requested, pipeline.Arrived(9, 2 * Block, 1234).Verdict);
    }

    [Fact]
    public void A_block_racing_our_cancel_a_timeout_or_a_choke_is_still_ours_once()
    {
        var cancelled = RequestPipeline.Start(32).Sent(new BlockRef(1, 0, Block), T0).Remove(1, 0).Next;
        var (after, verdict, _) = cancelled.Arrived(1, 0, Block);
        Assert.Equal(BlockVerdict.GivenUp, verdict);
        Assert.Equal(BlockVerdict.Unrequested, after.Arrived(1, 0, Block).Verdict);
        Assert.Equal(BlockVerdict.WrongLength, cancelled.Arrived(1, 0, 10).Verdict);

        var expired = RequestPipeline.Start(32).Sent(new BlockRef(1, 0, Block), T0).Expire(T0 + TimeSpan.FromMinutes(1), Settings.RequestTimeout).Next;
        Assert.Equal(BlockVerdict.GivenUp, expired.Arrived(1, 0, Block).Verdict);

        var choked = SentBlocks(RequestPipeline.Start(32), 3).ReleaseAll().Next;
        Assert.Equal(BlockVerdict.GivenUp, choked.Arrived(0, 2 * Block, Block).Verdict);
    }

    [Fact]
    public void Given_up_requests_are_remembered_up_to_the_capacity_the_oldest_forgotten_first()
    {
        var pipeline = RequestPipeline.Start(32, givenUpCapacity: 4);
        for (var i = 0; i < 10; i++)
        {
            pipeline = pipeline.Sent(new BlockRef(i, 0, Block), T0).Remove(i, 0).Next;
        }

        Assert.Equal(4, pipeline.GivenUp.Count);
        Assert.Equal(BlockVerdict.Unrequested, pipeline.Arrived(5, 0, Block).Verdict);
        Assert.Equal(BlockVerdict.GivenUp, pipeline.Arrived(6, 0, Block).Verdict);
        Assert.Equal(BlockVerdict.GivenUp, pipeline.Arrived(9, 0, Block).Verdict);

        // A choke/unchoke loop cannot grow it either.
        for (var round = 0; round < 50; round++)
        {
            pipeline = SentBlocks(pipeline, 32).ReleaseAll().Next;
        }

        Assert.Equal(4, pipeline.GivenUp.Count);
    }

    [Fact]
    public void A_reject_ends_a_request_in_flight_with_our_length_and_clears_a_cancelled_one()
    {
        var pipeline = RequestPipeline.Start(32).Sent(new BlockRef(1, 0, Block), T0).Sent(new BlockRef(2, 0, 500), T0);

        var (next, rejected) = pipeline.Reject(2, 0);
        Assert.Equal(new BlockRef(2, 0, 500), rejected);
        Assert.Equal(BlockVerdict.Unrequested, next.Arrived(2, 0, 500).Verdict); // it said it would not send it

        var cancelled = next.Remove(1, 0).Next;
        var (afterReject, none) = cancelled.Reject(1, 0); // BEP 6: the usual answer to our cancel
        Assert.Null(none);
        Assert.Empty(afterReject.GivenUp);
        Assert.Null(afterReject.Reject(7, 0).Rejected); // never asked
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

    [Fact]
    public void A_near_peer_keeps_at_most_near_max_depth_in_flight_and_a_far_or_unmeasured_one_max_depth()
    {
        var settings = Settings with { NearMaxDepth = 128, NearRoundTrip = TimeSpan.FromMilliseconds(1) };
        var fast = 10_000.0 * Block; // a second of it is far past max-depth

        Assert.Equal(128, RequestPipeline.Start(32).Adapt(fast, settings, Block, TimeSpan.FromMicroseconds(30)).Depth);
        Assert.Equal(500, RequestPipeline.Start(32).Adapt(fast, settings, Block, TimeSpan.FromMilliseconds(1)).Depth);
        Assert.Equal(500, RequestPipeline.Start(32).Adapt(fast, settings, Block, roundTrip: null).Depth);
        // A far peer that comes near (or a pipeline already deeper) is brought down to the near bound at once.
        var deep = RequestPipeline.Start(32).Adapt(fast, settings, Block, TimeSpan.FromMilliseconds(40));
        Assert.Equal(128, deep.Adapt(fast, settings, Block, TimeSpan.FromMicroseconds(30)).Depth);
        // Slower than the near bound: the rate decides, as for any peer.
        Assert.Equal(100, RequestPipeline.Start(32).Adapt(100.0 * Block, settings, Block, TimeSpan.FromMicroseconds(30)).Depth);
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
