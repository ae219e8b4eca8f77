using Swarm.Actors.Peers;
using Swarm.Protocol.PeerWire;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class UploadRequestRuleTests
{
    private const int PieceSize = 65536;
    private const int Max = 500;

    [Fact]
    public void A_request_inside_a_piece_we_have_from_an_unchoked_peer_is_queued()
    {
        Assert.Equal(UploadVerdict.Queue, UploadRequestRule.Judge(new Request(2, PieceSize - 16384, 16384), weHaveIt: true, PieceSize, amChoking: false, Queue(0)));
    }

    [Theory]
    [InlineData(true, true)] // we choke the peer (its request crossed our choke)
    [InlineData(false, false)] // a piece we don't have (yet)
    [InlineData(true, false)]
    public void Refused_requests(bool amChoking, bool weHaveIt)
    {
        Assert.Equal(UploadVerdict.Refuse, UploadRequestRule.Judge(new Request(2, 0, 16384), weHaveIt, PieceSize, amChoking, Queue(0)));
    }

    [Fact]
    public void A_full_queue_refuses_more()
    {
        Assert.Equal(UploadVerdict.Queue, UploadRequestRule.Judge(new Request(2, 0, 16384), true, PieceSize, false, Queue(Max - 1)));
        Assert.Equal(UploadVerdict.Refuse, UploadRequestRule.Judge(new Request(2, 0, 16384), true, PieceSize, false, Queue(Max)));
    }

    [Fact]
    public void Asking_past_the_end_of_a_piece_we_have_is_a_violation_even_while_choked()
    {
        Assert.Equal(UploadVerdict.Violation, UploadRequestRule.Judge(new Request(2, PieceSize - 8192, 16384), true, PieceSize, amChoking: true, Queue(0)));
    }

    [Fact]
    public void Asking_past_the_end_of_a_piece_we_lack_is_only_refused()
    {
        // We never said we have it, so the peer cannot know its length from us: a stale or confused request, not an attack.
        Assert.Equal(UploadVerdict.Refuse, UploadRequestRule.Judge(new Request(2, PieceSize - 8192, 16384), false, PieceSize, false, Queue(0)));
    }

    [Fact]
    public void Queued_bytes_are_bounded_whatever_the_count()
    {
        // Two blocks of 16 KiB fit in 32 KiB; a third does not, though the count allows 500.
        var queue = new UploadQueue(2, Max, 2 * 16384, 3 * 16384 - 1);
        Assert.Equal(UploadVerdict.Refuse, UploadRequestRule.Judge(new Request(2, 0, 16384), true, PieceSize, false, queue));
        Assert.Equal(UploadVerdict.Queue, UploadRequestRule.Judge(new Request(2, 0, 16383), true, PieceSize, false, queue));
    }

    private static UploadQueue Queue(int count) => new(count, Max, count * 16384L, long.MaxValue);
}
