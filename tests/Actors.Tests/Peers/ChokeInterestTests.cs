using Swarm.Actors.Peers;
using Swarm.Actors.Pieces;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class ChokeInterestTests
{
    [Fact]
    public void Both_sides_start_choked_and_uninterested()
    {
        var flags = ChokeInterest.Initial;
        Assert.Equal((true, false, true, false, 0), (flags.AmChoking, flags.AmInterested, flags.PeerChoking, flags.PeerInterested, flags.Interesting));
        Assert.False(flags.CanRequest);
    }

    [Fact]
    public void We_become_interested_when_the_peer_gets_a_piece_we_lack_and_say_so_once()
    {
        var (flags, say) = ChokeInterest.Initial.PeerGot(weHaveIt: false).UpdateInterest();
        Assert.Same(Interested.Instance, say);
        Assert.True(flags.AmInterested);

        Assert.Null(flags.PeerGot(weHaveIt: false).UpdateInterest().Send);
        Assert.Null(flags.PeerGot(weHaveIt: true).UpdateInterest().Send);
    }

    [Fact]
    public void A_piece_the_peer_has_that_we_also_have_does_not_interest_us()
    {
        var (flags, say) = ChokeInterest.Initial.PeerGot(weHaveIt: true).UpdateInterest();
        Assert.Null(say);
        Assert.False(flags.AmInterested);
    }

    [Fact]
    public void We_lose_interest_once_we_have_every_piece_the_peer_had_for_us()
    {
        var (flags, _) = ChokeInterest.Initial.PeerGot(false).PeerGot(false).UpdateInterest();

        (flags, var say) = flags.WeGot(peerHasIt: true).UpdateInterest();
        Assert.Null(say);
        (flags, say) = flags.WeGot(peerHasIt: false).UpdateInterest(); // a piece from someone else: no change here
        Assert.Null(say);
        (flags, say) = flags.WeGot(peerHasIt: true).UpdateInterest();
        Assert.Same(NotInterested.Instance, say);
        Assert.False(flags.AmInterested);
    }

    [Fact]
    public void A_whole_piece_set_counts_the_pieces_we_lack()
    {
        var ours = new PieceSet(8);
        ours.Add(0);
        ours.Add(1);
        var theirs = new PieceSet(8);
        theirs.Add(1);
        theirs.Add(2);
        theirs.Add(5);

        var flags = ChokeInterest.Initial.PeerGot(false).PeerGot(false).PeerGot(false).PeerGot(false).PeerHasOnly(theirs, ours);

        Assert.Equal(2, flags.Interesting);
        Assert.Equal(0, flags.PeerHasOnly(new PieceSet(8), ours).Interesting);
    }

    [Fact]
    public void Requests_are_worth_sending_only_when_unchoked_and_interested()
    {
        var interested = ChokeInterest.Initial.PeerGot(false).UpdateInterest().Next;
        Assert.False(interested.CanRequest);
        Assert.True(interested.WithPeerChoking(false).CanRequest);
        Assert.False(interested.WithPeerChoking(false).WithPeerChoking(true).CanRequest);
        Assert.False(ChokeInterest.Initial.WithPeerChoking(false).CanRequest);
    }

    [Fact]
    public void Only_changes_of_choking_and_of_the_peers_interest_are_reported()
    {
        var (flags, changed) = ChokeInterest.Initial.WithAmChoking(true);
        Assert.False(changed);
        (flags, changed) = flags.WithAmChoking(false);
        Assert.True(changed);
        Assert.False(flags.AmChoking);

        (flags, changed) = flags.WithPeerInterested(false);
        Assert.False(changed);
        (flags, changed) = flags.WithPeerInterested(true);
        Assert.True(changed);
        Assert.True(flags.PeerInterested);
    }
}
