using Swarm.Actors.Configuration;
using Swarm.Actors.Pieces;
using Xunit;

namespace Swarm.Actors.Tests.Pieces;

public sealed class PiecePickerTests
{
    private const int Block = 16 * 1024;
    private const int PieceSize = 4 * Block;

    private static PiecePicker NewPicker(int pieces, int randomFirst = 0, bool sequential = false, PieceSet? have = null, int seed = 1) =>
        new(pieces, _ => PieceSize, Block, new PickerSettings(randomFirst, EndgameDuplicates: 2), have ?? new PieceSet(pieces), sequential, new Random(seed));

    private static PieceSet Has(int count, params int[] pieces)
    {
        var set = new PieceSet(count);
        foreach (var p in pieces)
        {
            set.Add(p);
        }

        return set;
    }

    [Fact]
    public void Picks_the_rarest_piece_first()
    {
        var picker = NewPicker(4);
        picker.PeerHasAll(Has(4, 0, 1, 2, 3));
        picker.PeerHasAll(Has(4, 0, 1, 3));
        picker.PeerHasAll(Has(4, 0, 3));

        var blocks = picker.Pick(peer: 1, PieceSet.Full(4), count: 4);

        Assert.All(blocks, b => Assert.Equal(2, b.Piece)); // availability 1, the others have 2–3
        Assert.Equal([0, Block, 2 * Block, 3 * Block], blocks.Select(b => b.Begin));
    }

    [Fact]
    public void Each_peer_finishes_the_piece_it_opened_before_opening_another()
    {
        var picker = NewPicker(8, sequential: true);
        var first = picker.Pick(1, PieceSet.Full(8), 2);
        var second = picker.Pick(2, PieceSet.Full(8), 2);
        var firstAgain = picker.Pick(1, PieceSet.Full(8), 2);

        Assert.All(first.Concat(firstAgain), b => Assert.Equal(0, b.Piece));
        Assert.All(second, b => Assert.Equal(1, b.Piece));
        Assert.Equal(4, first.Concat(firstAgain).Select(b => b.Begin).Distinct().Count());
    }

    [Fact]
    public void A_peer_helps_with_pieces_others_opened_once_nothing_new_is_left()
    {
        var picker = NewPicker(1);
        var first = picker.Pick(1, PieceSet.Full(1), 2);
        var second = picker.Pick(2, PieceSet.Full(1), 2);

        Assert.Equal(2, second.Count);
        Assert.Empty(first.Intersect(second)); // free blocks first; duplicates only in endgame
        Assert.Equal(first, picker.Pick(2, PieceSet.Full(1), 4));
    }

    [Fact]
    public void Sequential_mode_picks_in_order()
    {
        var picker = NewPicker(5, sequential: true);
        var pieces = picker.Pick(1, PieceSet.Full(5), 12).Select(b => b.Piece).Distinct().ToList();
        Assert.Equal([0, 1, 2], pieces);
    }

    [Fact]
    public void Random_first_pieces_are_spread_then_rarest_first_takes_over()
    {
        var firsts = Enumerable.Range(0, 20)
            .Select(seed => NewPicker(64, randomFirst: 4, seed: seed).Pick(1, PieceSet.Full(64), 1)[0].Piece)
            .Distinct()
            .Count();
        Assert.True(firsts > 5, $"random first pieces should vary with the seed, got {firsts} distinct");

        var have = Has(8, 0, 1, 2, 3);
        var picker = NewPicker(8, randomFirst: 4, have: have);
        picker.PeerHasAll(PieceSet.Full(8));
        picker.PeerHasAll(Has(8, 4, 5, 6));
        Assert.Equal(7, picker.Pick(1, PieceSet.Full(8), 1)[0].Piece);
    }

    [Fact]
    public void Only_picks_pieces_the_peer_has_and_we_lack()
    {
        var picker = NewPicker(4, have: Has(4, 1));
        var blocks = picker.Pick(1, Has(4, 1, 3), 100);
        Assert.All(blocks, b => Assert.Equal(3, b.Piece));
        Assert.True(picker.IsInteresting(Has(4, 3)));
        Assert.False(picker.IsInteresting(Has(4, 1)));
    }

    [Fact]
    public void Last_block_is_short()
    {
        var picker = new PiecePicker(2, p => p == 1 ? Block + 100 : PieceSize, Block, new PickerSettings(0, 2), new PieceSet(2), sequential: true);
        var blocks = picker.Pick(1, PieceSet.Full(2), 10);
        Assert.Equal(new BlockRef(1, Block, 100), blocks[^1]);
    }

    [Fact]
    public void Endgame_requests_outstanding_blocks_from_a_second_peer_and_names_whom_to_cancel()
    {
        var picker = NewPicker(1);
        var slow = picker.Pick(1, PieceSet.Full(1), 10);
        Assert.Equal(4, slow.Count);
        Assert.True(picker.InEndgame);

        var fast = picker.Pick(2, PieceSet.Full(1), 10);
        Assert.Equal(slow, fast);

        var cancel = picker.BlockReceived(0, 0, Block, peer: 2, out var complete);
        Assert.Equal([1], cancel);
        Assert.False(complete);
        Assert.Null(picker.BlockReceived(0, 0, Block, peer: 1, out _)); // the late duplicate is not wanted
    }

    [Fact]
    public void A_block_stays_asked_while_any_of_its_requesters_is_left_and_is_free_once_none_is()
    {
        // Endgame with three peers on one block each: the one asked first leaves, the others still hold the blocks.
        var picker = new PiecePicker(1, _ => PieceSize, Block, new PickerSettings(0, EndgameDuplicates: 3), new PieceSet(1), random: new Random(1));
        var all = picker.Pick(1, PieceSet.Full(1), 10);
        Assert.Equal(all, picker.Pick(2, PieceSet.Full(1), 10));
        Assert.Equal(all, picker.Pick(3, PieceSet.Full(1), 10));

        picker.ReleaseAll(1);
        Assert.Equal([3], picker.BlockReceived(0, 0, Block, peer: 2, out _)); // the one left besides the sender
        picker.ReleaseAll(2);
        Assert.True(picker.InEndgame); // peer 3 still holds the last three blocks
        picker.ReleaseAll(3);
        Assert.False(picker.InEndgame); // nobody holds them: they are free again
        Assert.Equal(all.Skip(1), picker.Pick(4, PieceSet.Full(1), 10));
        Assert.Equal([4], picker.BlockReceived(0, Block, Block, peer: 2, out _)); // a late block of a request given up
    }

    [Fact]
    public void A_piece_of_one_block_keeps_its_requesters_received_state_and_length_as_a_larger_piece_does()
    {
        // Issue 14 (piece count): such a piece keeps its one block's state in fields rather than arrays.
        const int small = 4096;
        var picker = new PiecePicker(2, _ => small, Block, new PickerSettings(0, EndgameDuplicates: 3), new PieceSet(2), random: new Random(1));
        var first = picker.Pick(1, PieceSet.Full(2), 10);
        Assert.Equal([new BlockRef(0, 0, small), new BlockRef(1, 0, small)], first.OrderBy(b => b.Piece));
        Assert.True(picker.InEndgame);
        Assert.Equal(first.Count, picker.Pick(2, PieceSet.Full(2), 10).Count);
        Assert.Empty(picker.Pick(2, PieceSet.Full(2), 10)); // never asked twice of one peer
        Assert.Equal(first.Count, picker.Pick(3, PieceSet.Full(2), 10).Count);

        Assert.Null(picker.BlockReceived(0, 0, small - 1, peer: 2, out _)); // not its length
        Assert.Null(picker.BlockReceived(0, small, small, peer: 2, out _)); // past the piece
        picker.ReleaseAll(1);
        Assert.Equal([3], picker.BlockReceived(0, 0, small, peer: 2, out var complete)); // the one left besides the sender
        Assert.True(complete);
        Assert.Null(picker.BlockReceived(0, 0, small, peer: 3, out _)); // the late duplicate

        picker.ReleaseAll(2);
        picker.ReleaseAll(3);
        Assert.False(picker.InEndgame); // nobody holds piece 1's block: free again
        Assert.Equal([new BlockRef(1, 0, small)], picker.Pick(4, PieceSet.Full(2), 10));
        picker.ReleaseAll(4);
        var late = picker.BlockReceived(1, 0, small, peer: 5, out complete); // a late block of a request given up
        Assert.NotNull(late);
        Assert.Empty(late);
        Assert.True(complete);
    }

    [Fact]
    public void Only_a_whole_block_of_its_own_length_is_wanted()
    {
        var picker = new PiecePicker(2, p => p == 1 ? Block + 100 : PieceSize, Block, new PickerSettings(0, 2), new PieceSet(2), sequential: true);
        picker.Pick(1, PieceSet.Full(2), 10);

        Assert.Null(picker.BlockReceived(0, 0, 100, peer: 1, out _)); // short
        Assert.Null(picker.BlockReceived(0, 0, Block + 1, peer: 1, out _)); // long
        Assert.Null(picker.BlockReceived(0, 10, Block, peer: 1, out _)); // off a block boundary
        Assert.Null(picker.BlockReceived(0, 4 * Block, Block, peer: 1, out _)); // past the piece
        Assert.Null(picker.BlockReceived(1, Block, Block, peer: 1, out _)); // the short final block, at full length
        Assert.Null(picker.BlockReceived(7, 0, Block, peer: 1, out _)); // no such piece

        Assert.NotNull(picker.BlockReceived(0, 0, Block, peer: 1, out _)); // still wanted after all of the above
        Assert.NotNull(picker.BlockReceived(1, Block, 100, peer: 1, out _));
    }

    [Fact]
    public void Endgame_never_asks_one_peer_twice_for_a_block()
    {
        var picker = NewPicker(1);
        picker.Pick(1, PieceSet.Full(1), 10);
        Assert.Empty(picker.Pick(1, PieceSet.Full(1), 10));
    }

    [Fact]
    public void When_the_only_holder_of_the_last_blocks_leaves_another_peer_gets_them()
    {
        // The "stuck at 99.9 %" case: the fast peer held every outstanding request of the last piece and vanished.
        var picker = NewPicker(2, sequential: true, have: Has(2, 0));
        var fastPeer = PieceSet.Full(2);
        picker.PeerHasAll(fastPeer);
        var held = picker.Pick(1, fastPeer, 10);
        Assert.Equal(4, held.Count);

        picker.ReleaseAll(1);
        picker.PeerGone(fastPeer);

        var slowPeer = Has(2, 1);
        var taken = picker.Pick(2, slowPeer, 10);
        Assert.Equal(held, taken);
    }

    [Fact]
    public void A_piece_that_fails_its_hash_is_wanted_again_in_full()
    {
        var picker = NewPicker(1);
        foreach (var b in picker.Pick(1, PieceSet.Full(1), 10))
        {
            picker.BlockReceived(b.Piece, b.Begin, b.Length, 1, out _);
        }

        Assert.Empty(picker.Pick(2, PieceSet.Full(1), 10));
        picker.PieceFailed(0);
        Assert.Equal(4, picker.Pick(2, PieceSet.Full(1), 10).Count);
    }

    [Fact]
    public void Verified_pieces_are_never_picked_again()
    {
        var picker = NewPicker(2, sequential: true);
        foreach (var b in picker.Pick(1, PieceSet.Full(2), 4))
        {
            picker.BlockReceived(b.Piece, b.Begin, b.Length, 1, out _);
        }

        picker.PieceVerified(0);
        Assert.True(picker.Have[0]);
        Assert.All(picker.Pick(1, PieceSet.Full(2), 10), b => Assert.Equal(1, b.Piece));
    }
}

public sealed class PiecePickerScalingTests
{
    private const int Block = 16 * 1024;

    /// <summary>Downloads every piece from a seed (and two partial peers unless sequential: in order, a peer lacking
    /// the next pieces looks past them), one pick of 64 blocks at a time, and returns the pieces and started pieces
    /// the picker looked at per block handed out.</summary>
    private static double ExaminedPerBlock(int pieceCount, bool sequential, int pieceSize = Block, int groupBytes = 256 * 1024)
    {
        var picker = new PiecePicker(pieceCount, _ => pieceSize, Block, new PickerSettings(RandomFirstPieces: 4, EndgameDuplicates: 2) { SmallPieceGroupBytes = groupBytes }, new PieceSet(pieceCount), sequential, new Random(7));
        var seed = PieceSet.Full(pieceCount);
        var even = new PieceSet(pieceCount);
        var firstHalf = new PieceSet(pieceCount);
        for (var p = 0; p < pieceCount; p++)
        {
            if (p % 2 == 0)
            {
                even.Add(p);
            }

            if (p < pieceCount / 2)
            {
                firstHalf.Add(p);
            }
        }

        PieceSet[] peers = sequential ? [seed, PieceSet.Full(pieceCount)] : [seed, even, firstHalf];
        foreach (var has in peers)
        {
            picker.PeerHasAll(has);
        }

        long blocks = 0;
        for (var round = 0; !picker.Have.IsComplete; round++)
        {
            Assert.True(round < pieceCount, "the download made no progress");
            for (var peer = 0; peer < peers.Length; peer++)
            {
                foreach (var b in picker.Pick(peer, peers[peer], 64))
                {
                    blocks++;
                    if (picker.BlockReceived(b.Piece, b.Begin, b.Length, peer, out var complete) is not null && complete)
                    {
                        picker.PieceVerified(b.Piece);
                    }
                }
            }
        }

        return (double)picker.Examined / blocks;
    }

    [Fact]
    public void Pieces_smaller_than_a_block_are_picked_in_runs_to_the_end_of_their_extent()
    {
        // 1 KiB pieces in extents of 16 (16 KiB): after a rarest-first start, a peer goes on with the next pieces.
        const int pieces = 1024;
        var picker = new PiecePicker(pieces, _ => 1024, Block, new PickerSettings(0, 2) { SmallPieceGroupBytes = 16 * 1024 }, new PieceSet(pieces), random: new Random(3));
        var seed = PieceSet.Full(pieces);
        picker.PeerHasAll(seed);

        var picked = picker.Pick(0, seed, 16).Select(b => b.Piece).ToList();

        var first = picked[0];
        Assert.Equal(Enumerable.Range(first, 16 - (first % 16)), picked.Take(16 - (first % 16)));

        // The run stops at the extent's end; its next pick starts elsewhere, and another peer never continues it.
        var other = picker.Pick(1, seed, 1).Single().Piece;
        Assert.DoesNotContain(other, picked);
    }

    [Fact]
    public void A_run_of_small_pieces_starts_where_its_extent_is_still_to_start()
    {
        // Issue 14 (piece count): wherever rarest first lands, the run begins at the first piece of the extent nobody
        // started, so that each extent is taken from its start (its group finishes in one run and its writes follow
        // each other).
        const int pieces = 1024;
        var picker = new PiecePicker(pieces, _ => 1024, Block, new PickerSettings(0, 2) { SmallPieceGroupBytes = 16 * 1024 }, new PieceSet(pieces), random: new Random(5));
        var seed = PieceSet.Full(pieces);
        picker.PeerHasAll(seed);

        var started = new PieceSet(pieces);
        for (var round = 0; round < 40; round++)
        {
            foreach (var b in picker.Pick(round % 3, seed, 5 + (round % 7)))
            {
                started.Add(b.Piece);
            }
        }

        // Every extent's started pieces are a prefix of it.
        for (var extent = 0; extent < pieces / 16; extent++)
        {
            var inIt = Enumerable.Range(extent * 16, 16).Where(p => started[p]).ToList();
            Assert.Equal(Enumerable.Range(extent * 16, inIt.Count), inIt);
        }

        Assert.True(started.Count > 200);
    }

    [Fact]
    public void Pieces_of_a_block_or_more_are_not_picked_in_runs()
    {
        const int pieces = 4096;
        var picker = new PiecePicker(pieces, _ => Block, Block, new PickerSettings(0, 2), new PieceSet(pieces), random: new Random(3));
        var seed = PieceSet.Full(pieces);
        picker.PeerHasAll(seed);

        var picked = picker.Pick(0, seed, 8).Select(b => b.Piece).ToList();

        Assert.NotEqual(Enumerable.Range(picked[0], 8), picked); // rarest first, ties at random: not in a row
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Picking_costs_the_same_per_block_for_262144_pieces_as_for_4096(bool sequential)
    {
        var small = ExaminedPerBlock(4_096, sequential);
        var large = ExaminedPerBlock(262_144, sequential);

        // A scan of every piece per pick would make the large torrent cost ~64× the small one per block.
        Assert.True(large <= 8, $"{large:F1} pieces looked at per block with 262,144 pieces");
        Assert.True(large <= 2 * small + 1, $"{large:F1} pieces looked at per block with 262,144 pieces, {small:F1} with 4,096");
    }

    [Fact]
    public void Picking_1_KiB_pieces_in_runs_stays_within_the_bound_for_as_many_pieces_of_a_block()
    {
        var blocks = ExaminedPerBlock(262_144, sequential: false);
        var small = ExaminedPerBlock(262_144, sequential: false, pieceSize: 1024);

        // Runs look at the next piece first, and give way to rarer pieces: no more than twice the cost, and bounded.
        Assert.True(small <= 8, $"{small:F1} pieces looked at per block with 262,144 pieces of 1 KiB");
        Assert.True(small <= 2 * blocks, $"{small:F1} pieces looked at per block with 262,144 pieces of 1 KiB, {blocks:F1} of 16 KiB");
    }
}
