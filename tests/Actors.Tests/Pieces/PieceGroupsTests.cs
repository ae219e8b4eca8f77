using Swarm.Actors.Pieces;
using Xunit;

namespace Swarm.Actors.Tests.Pieces;

/// <summary>Groups of pieces smaller than a block (or of one block, when asked): which group a piece is in, and when a group's actor may stop.</summary>
public sealed class PieceGroupsTests
{
    private const int Block = 16384;

    [Fact]
    public void Pieces_of_a_block_or_more_are_never_grouped_and_smaller_ones_fill_about_the_group_bytes()
    {
        Assert.False(new PieceGroups(4096, Block, Block, 256 * 1024).Grouped);
        Assert.False(new PieceGroups(1024, 256 * 1024, Block, 256 * 1024).Grouped);

        var groups = new PieceGroups(262144, 1024, Block, 256 * 1024);
        Assert.Equal(256, groups.Size);
        Assert.Equal((0, 0, 1, 1023), (groups.GroupOf(0), groups.GroupOf(255), groups.GroupOf(256), groups.GroupOf(262143)));
    }

    [Fact]
    public void Pieces_of_exactly_one_block_are_grouped_when_asked_and_larger_ones_still_never()
    {
        var groups = new PieceGroups(262144, Block, Block, 256 * 1024, wholeBlocks: true);
        Assert.Equal(16, groups.Size);
        Assert.Equal((0, 1, 16383), (groups.GroupOf(15), groups.GroupOf(16), groups.GroupOf(262143)));

        Assert.False(new PieceGroups(4096, 2 * Block, Block, 256 * 1024, wholeBlocks: true).Grouped);
    }

    [Fact]
    public void A_group_is_finished_once_every_piece_not_done_at_opening_hashed_valid_and_none_is_unreported()
    {
        var groups = new PieceGroups(10, 1024, Block, 4 * 1024); // groups of 4: {0..3} {4..7} {8, 9}
        groups.Open(1, piece => piece == 5); // piece 5 is already ours: 4, 6 and 7 are to hash

        groups.Sent(4);
        groups.Sent(6);
        Assert.False(groups.Hashed(4, valid: true));
        Assert.False(groups.Hashed(6, valid: false)); // a bad piece is wanted again
        groups.Sent(6);
        groups.Sent(7);
        Assert.False(groups.Hashed(6, valid: true));
        Assert.False(groups.Hashed(6, valid: true)); // reported twice: counted once
        Assert.True(groups.Hashed(7, valid: true));
        Assert.Empty(groups.Close(1));
        Assert.False(groups.IsOpen(1));
    }

    [Fact]
    public void A_short_last_group_finishes_on_its_own_pieces()
    {
        var groups = new PieceGroups(10, 1024, Block, 4 * 1024);
        groups.Open(2, _ => false);
        groups.Sent(8);
        groups.Sent(9);

        Assert.False(groups.Hashed(8, valid: true));
        Assert.True(groups.Hashed(9, valid: true));
    }

    [Fact]
    public void Closing_a_group_whose_actor_died_gives_back_what_it_was_sent_and_never_reported()
    {
        var groups = new PieceGroups(8, 1024, Block, 4 * 1024);
        groups.Open(0, _ => false);
        groups.Sent(1);
        groups.Sent(2);
        groups.Hashed(1, valid: true);

        Assert.Equal([2], groups.Close(0));
        Assert.Equal(0, groups.OpenCount);
        Assert.False(groups.Hashed(2, valid: true)); // a late report of a closed group changes nothing
    }

    [Fact]
    public void A_large_group_counts_each_piece_sent_once_and_gives_back_the_unreported_in_order()
    {
        var groups = new PieceGroups(1000, 1024, Block, 256 * 1024); // groups of 256: {0..255} ... {768..999}
        groups.Open(3, piece => piece != 770 && piece != 900 && piece != 999);

        groups.Sent(999);
        groups.Sent(770);
        groups.Sent(770); // sent twice: counted once
        groups.Sent(900);
        Assert.False(groups.Hashed(770, valid: true));
        Assert.False(groups.Hashed(770, valid: true)); // reported twice: counted once
        Assert.False(groups.Hashed(800, valid: true)); // never sent: nothing to count
        Assert.False(groups.Hashed(900, valid: true));

        Assert.Equal([999], groups.Close(3));
    }
}
