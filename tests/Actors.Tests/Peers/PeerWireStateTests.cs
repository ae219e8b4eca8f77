using Swarm.Actors.Peers;
using Swarm.Actors.Pieces;
using Swarm.Actors.Tests.Support;
using Swarm.Protocol.PeerWire;
using Xunit;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Tests.Peers;

/// <summary>The connection's protocol rules as events and reactions, without an actor or a socket.</summary>
public sealed class PeerWireStateTests
{
    private const int Peer = 7;
    private const int Block = 16384;
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Configuration.SwarmSettings Settings = TestNodes.Settings;
    private const int MaxDropped = 3;

    [Fact]
    public void An_unchoked_interested_connection_asks_the_torrent_for_blocks_and_requests_what_it_gets()
    {
        var state = WantingAPiece(fast: true).PeerUnchoked();

        var (asked, ask) = state.BatchHandled(T0);
        Assert.Equal(Settings.Pipeline.InitialDepth, ask.Ask);

        var blocks = new[] { new BlockRef(0, 0, Block), new BlockRef(0, Block, Block) };
        var (sent, requests) = asked.Assigned(blocks, T0);
        Assert.Equal(blocks.Select(b => new Request(b.Piece, b.Begin, b.Length)), requests.ToPeer);
        Assert.Empty(requests.Released);
        Assert.Equal(2, sent.Pipeline.Outstanding.Count);
        Assert.False(sent.Pipeline.AwaitingBlocks);
    }

    [Fact]
    public void Blocks_assigned_after_the_peer_choked_us_go_back_to_the_torrent()
    {
        var blocks = new[] { new BlockRef(0, 0, Block) };

        var (state, reaction) = WantingAPiece(fast: true).Assigned(blocks, T0);

        Assert.Empty(reaction.ToPeer);
        Assert.Equal(blocks, reaction.Released);
        Assert.Empty(state.Pipeline.Outstanding);
    }

    [Fact]
    public void A_choke_without_the_fast_extension_gives_back_everything_in_flight_and_with_it_nothing()
    {
        var blocks = new[] { new BlockRef(1, 0, Block), new BlockRef(1, Block, Block) };

        var (plain, plainChoke) = Requested(fast: false, blocks).PeerChoked();
        Assert.Equal(blocks, plainChoke.Released.OrderBy(b => b.Begin));
        Assert.Empty(plain.Pipeline.Outstanding);

        var (fast, fastChoke) = Requested(fast: true, blocks).PeerChoked();
        Assert.Empty(fastChoke.Released); // BEP 6: the peer rejects them one by one
        Assert.Equal(2, fast.Pipeline.Outstanding.Count);
        Assert.False(fast.Flags.CanRequest);
    }

    [Fact]
    public void A_reject_gives_the_block_back_and_needs_the_fast_extension()
    {
        var block = new BlockRef(1, 0, Block);

        var (state, reaction) = Requested(fast: true, [block]).Rejected(new RejectRequest(1, 0, Block));
        Assert.Equal([block], reaction.Released);
        Assert.Empty(state.Pipeline.Outstanding);
        Assert.Empty(state.Rejected(new RejectRequest(1, 0, Block)).Item2.Released); // not ours (any more)

        Assert.Throws<PeerProtocolException>(() => Requested(fast: false, [block]).Rejected(new RejectRequest(1, 0, Block)));
    }

    [Fact]
    public void A_requested_block_goes_to_the_torrent()
    {
        var state = Requested(fast: true, [new BlockRef(1, 0, Block)]);

        var data = new byte[Block];
        var (next, reaction) = state.BlockArrived(new PieceBlock(1, 0, data), MaxDropped);
        var arrived = Assert.IsType<BlockArrived>(reaction.Notify);
        Assert.Equal((Peer, 1, 0), (arrived.Peer, arrived.Piece, arrived.Begin));
        Assert.Same(data, arrived.Data);
        Assert.Empty(next.Pipeline.Outstanding);
        Assert.Equal(0, next.DroppedBlocks);
    }

    [Fact]
    public void Unrequested_and_wrong_length_blocks_never_reach_the_torrent_and_are_counted()
    {
        var state = Requested(fast: true, [new BlockRef(1, 0, Block)]);

        var (afterShort, shortBlock) = state.BlockArrived(new PieceBlock(1, 0, new byte[100]), MaxDropped);
        Assert.Null(shortBlock.Notify);
        Assert.Null(shortBlock.Close);
        Assert.Equal([new BlockRef(1, 0, Block)], shortBlock.Released); // someone else may serve it
        Assert.Equal(1, afterShort.DroppedBlocks);

        var (afterStray, stray) = afterShort.BlockArrived(new PieceBlock(2, 0, new byte[Block]), MaxDropped);
        Assert.Null(stray.Notify);
        Assert.Empty(stray.Released);
        Assert.Equal(2, afterStray.DroppedBlocks);
    }

    [Fact]
    public void Past_the_bound_of_dropped_blocks_the_peer_is_reported_and_disconnected()
    {
        var state = Requested(fast: true, []);
        PeerWireReaction reaction = PeerWireReaction.None;
        for (var i = 0; i < MaxDropped; i++)
        {
            (state, reaction) = state.BlockArrived(new PieceBlock(i, 0, new byte[Block]), MaxDropped);
            Assert.Null(reaction.Close);
        }

        (state, reaction) = state.BlockArrived(new PieceBlock(99, 0, new byte[Block]), MaxDropped);
        var misbehaved = Assert.IsType<PeerMisbehaved>(reaction.Notify);
        Assert.Equal(Peer, misbehaved.Peer);
        Assert.NotNull(reaction.Close);
        Assert.Equal(MaxDropped + 1, state.DroppedBlocks);
    }

    [Fact]
    public void A_run_of_blocks_passes_on_the_requested_ones_in_order_and_counts_the_rest()
    {
        var state = Requested(fast: true, [new BlockRef(1, 0, Block), new BlockRef(1, Block, Block), new BlockRef(2, 0, Block)]);
        PieceBlock[] run =
        [
            new(1, Block, new byte[Block]),
            new(5, 0, new byte[Block]), // never asked for
            new(2, 0, new byte[10]), // another length: its request is freed
            new(1, 0, new byte[Block]),
        ];

        var (next, reaction, accepted) = state.BlocksArrived(run, MaxDropped);

        Assert.Equal([(1, Block), (1, 0)], accepted.Select(a => (a.Piece, a.Begin)));
        Assert.All(accepted, a => Assert.Equal(Peer, a.Peer));
        Assert.Same(run[3].Data, accepted[1].Data);
        Assert.Equal([new BlockRef(2, 0, Block)], reaction.Released);
        Assert.Null(reaction.Notify);
        Assert.Null(reaction.Close);
        Assert.Equal(2, next.DroppedBlocks);
        Assert.Empty(next.Pipeline.Outstanding);
    }

    [Fact]
    public void A_run_past_the_bound_of_dropped_blocks_reports_the_peer_once_and_still_passes_on_its_requested_blocks()
    {
        var state = Requested(fast: true, [new BlockRef(1, 0, Block)]);
        var strays = Enumerable.Range(10, MaxDropped + 2).Select(i => new PieceBlock(i, 0, new byte[Block]));

        var (next, reaction, accepted) = state.BlocksArrived([.. strays, new PieceBlock(1, 0, new byte[Block])], MaxDropped);

        var misbehaved = Assert.IsType<PeerMisbehaved>(reaction.Notify);
        Assert.Contains($"sent {MaxDropped + 1} blocks", misbehaved.Reason);
        Assert.Equal(misbehaved.Reason, reaction.Close);
        Assert.Equal(MaxDropped + 2, next.DroppedBlocks);
        Assert.Equal([(1, 0)], accepted.Select(a => (a.Piece, a.Begin)));
    }

    [Fact]
    public void A_late_block_after_our_endgame_cancel_still_goes_to_the_torrent_and_is_not_counted()
    {
        var block = new BlockRef(1, 0, Block);
        var (cancelled, _) = Requested(fast: false, [block]).Cancelled([block]);

        var (next, reaction) = cancelled.BlockArrived(new PieceBlock(1, 0, new byte[Block]), MaxDropped);

        Assert.IsType<BlockArrived>(reaction.Notify); // the torrent drops it if another peer's copy came first
        Assert.Equal(0, next.DroppedBlocks);
    }

    [Fact]
    public void Cancelled_blocks_are_cancelled_on_the_wire_only_while_in_flight_and_free_room()
    {
        var state = Requested(fast: true, [new BlockRef(1, 0, Block)]);

        var (next, reaction) = state.Cancelled([new BlockRef(1, 0, Block), new BlockRef(2, 0, Block)]);

        Assert.Equal([new Cancel(1, 0, Block)], reaction.ToPeer);
        Assert.Empty(next.Pipeline.Outstanding);
        Assert.Equal(Settings.Pipeline.InitialDepth, reaction.Ask);
    }

    [Fact]
    public void The_peers_pieces_tell_the_torrent_and_make_us_interested()
    {
        var ours = new PieceSet(4);
        var theirs = new PieceSet(4);
        theirs.Add(2);

        var (state, reaction) = Start(fast: true).PeerHasOnly(theirs, ours);
        Assert.Equal([Interested.Instance], reaction.ToPeer);
        Assert.Equal(theirs.Indices(), Assert.IsType<PeerPieces>(reaction.Notify).Pieces.Indices());
        Assert.NotSame(theirs, ((PeerPieces)reaction.Notify!).Pieces); // the torrent gets its own copy

        (_, reaction) = state.PeerGot(3, weHaveIt: false, bothSeeds: false);
        Assert.Empty(reaction.ToPeer); // already interested
        Assert.Equal(new PeerHave(Peer, 3), reaction.Notify);
    }

    [Fact]
    public void A_piece_of_ours_is_announced_only_to_a_peer_that_lacks_it_and_may_end_our_interest()
    {
        var state = WantingAPiece(fast: true); // the peer has one piece we lack

        var (_, toLacking) = state.WeGot(5, peerHasIt: false, bothSeeds: false);
        Assert.Equal([new Have(5)], toLacking.ToPeer);

        var (after, toHaving) = state.WeGot(0, peerHasIt: true, bothSeeds: false);
        Assert.Equal([NotInterested.Instance], toHaving.ToPeer);
        Assert.False(after.Flags.AmInterested);
    }

    [Fact]
    public void Pieces_we_got_together_are_announced_to_a_peer_lacking_them_and_interest_is_updated_once()
    {
        var state = WantingAPiece(fast: true); // the peer has piece 0, which we lack

        var (_, toLacking) = state.WeGot([3, 5, 6], peerHad: 0, bothSeeds: false);
        Assert.Equal([new Have(3), new Have(5), new Have(6)], toLacking.ToPeer);

        // With piece 0 among them the peer has nothing more for us: the Haves, then one NotInterested.
        var (after, mixed) = state.WeGot([3, 5], peerHad: 1, bothSeeds: false);
        Assert.Equal([new Have(3), new Have(5), NotInterested.Instance], mixed.ToPeer);
        Assert.False(after.Flags.AmInterested);
    }

    [Fact]
    public void Two_seeds_part()
    {
        var (_, reaction) = Start(fast: true).WeGot(0, peerHasIt: true, bothSeeds: true);
        Assert.Equal("both sides are seeds", reaction.Close);

        var full = PieceSet.Full(4);
        Assert.Equal("both sides are seeds", Start(fast: true).PeerHasOnly(full, PieceSet.Full(4)).Item2.Close);
        Assert.Null(Start(fast: true).PeerHasOnly(full, new PieceSet(4)).Item2.Close);
    }

    [Fact]
    public void The_peers_interest_is_told_to_the_torrent_when_it_changes()
    {
        var (state, reaction) = Start(fast: true).PeerInterestIs(true);
        Assert.Equal(new PeerInterest(Peer, true), reaction.Notify);
        Assert.Null(state.PeerInterestIs(true).Item2.Notify);
    }

    [Fact]
    public void The_extended_handshake_caps_the_pipeline_and_names_the_peers_metadata_id()
    {
        var hs = new ExtensionHandshake(new Dictionary<string, int> { [MetadataMessage.ExtensionName] = 4 }, "x", null, null, RequestQueue: 8);

        var state = WantingAPiece(fast: true).PeerUnchoked().ExtensionHandshakeIs(hs);

        Assert.Equal(8, state.BatchHandled(T0).Item2.Ask);
        var info = new byte[100];
        var answer = Assert.IsType<Extended>(Assert.Single(state.MetadataAsked(MetadataMessage.Request(0), info).Item2.ToPeer));
        Assert.Equal(4, answer.ExtendedId);
    }

    [Fact]
    public void A_tick_gives_up_requests_past_the_timeout_sends_a_keep_alive_when_due_and_reports_rates()
    {
        var state = Requested(fast: true, [new BlockRef(1, 0, Block)]).BatchHandled(T0 + TimeSpan.FromSeconds(50)).Item1;
        var now = T0 + Settings.Pipeline.RequestTimeout + TimeSpan.FromSeconds(1);
        Assert.True(now - T0 < Settings.Peer.IdleTimeout / 2, "no keep-alive is due yet");

        var (next, reaction) = state.Tick(now, downloaded: 4000, uploaded: 1000, Settings);

        Assert.Equal([new BlockRef(1, 0, Block)], reaction.Released);
        Assert.Empty(reaction.ToPeer);
        Assert.Null(reaction.Close);
        var stats = Assert.IsType<PeerStats>(reaction.Notify);
        Assert.Equal((Peer, 4000L, 1000L, false), (stats.Peer, stats.Downloaded, stats.Uploaded, stats.PeerChoking));
        Assert.Equal(next.Rates.DownloadRate, stats.DownloadRate);
        Assert.True(stats.DownloadRate > 0);

        var later = T0 + (Settings.Peer.IdleTimeout / 2) + TimeSpan.FromSeconds(1);
        Assert.Equal([KeepAlive.Instance], next.Tick(later, 4000, 1000, Settings).Item2.ToPeer);
        Assert.Empty(next.Sent(later).Tick(later, 4000, 1000, Settings).Item2.ToPeer);
    }

    [Fact]
    public void A_tick_closes_a_connection_whose_peer_was_silent_for_the_idle_timeout()
    {
        var state = Start(fast: true);

        var (_, reaction) = state.Tick(T0 + Settings.Peer.IdleTimeout + TimeSpan.FromSeconds(1), 0, 0, Settings);

        Assert.Equal("idle for too long", reaction.Close);
        Assert.Null(reaction.Notify);
        Assert.Equal(0, reaction.Ask);
    }

    [Fact]
    public void A_tick_retries_an_ask_the_torrent_never_answered()
    {
        var (asked, first) = WantingAPiece(fast: true).PeerUnchoked().BatchHandled(T0);
        Assert.True(first.Ask > 0);
        Assert.Equal(0, asked.BatchHandled(T0).Item2.Ask);

        Assert.True(asked.Tick(T0 + TimeSpan.FromSeconds(1), 0, 0, Settings).Item2.Ask > 0);
    }

    private static PeerWireState Start(bool fast) => PeerWireState.Start(Peer, Settings.Pipeline.InitialDepth, T0) with { Fast = fast };

    /// <summary>The peer has a piece we lack, so we are interested; it still chokes us.</summary>
    private static PeerWireState WantingAPiece(bool fast) => Start(fast).PeerGot(0, weHaveIt: false, bothSeeds: false).Item1;

    private static PeerWireState Requested(bool fast, IReadOnlyList<BlockRef> blocks) =>
        WantingAPiece(fast).PeerUnchoked().BatchHandled(T0).Item1.Assigned(blocks, T0).Item1;
}
