using Swarm.Actors.Torrent;
using Xunit;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>The ban policy for peers whose pieces fail their hash check (threshold 2, as hocon's default).</summary>
public sealed class PeerReputationTests
{
    private static readonly PieceContributor Liar = new(1, "10.0.0.1:6881");
    private static readonly PieceContributor Honest = new(2, "10.0.0.2:6881");
    private static readonly PieceContributor Other = new(3, "10.0.0.3:6881");

    private static PeerReputation Fresh => new(BanThreshold: 2);

    [Fact]
    public void A_peer_that_alone_sent_bad_pieces_is_banned_at_the_threshold()
    {
        var (reputation, bans) = Fresh.PieceHashed(valid: false, [Liar]);
        Assert.Empty(bans);
        Assert.Equal(new PeerTrackRecord(0, 1, 1), reputation.RecordOf(Liar.EndPoint));

        (reputation, bans) = reputation.PieceHashed(valid: false, [Liar]);
        var ban = Assert.Single(bans);
        Assert.Equal(Liar.Peer, ban.Peer);
        Assert.Equal("banned after 2 pieces that failed the hash check", ban.Reason);
        Assert.Equal(2, reputation.HashFailures);
    }

    [Fact]
    public void Sending_good_pieces_does_not_excuse_bad_pieces_sent_alone()
    {
        var reputation = Fresh.PieceHashed(valid: true, [Liar]).Reputation;
        reputation = reputation.PieceHashed(valid: false, [Liar]).Reputation;

        Assert.Equal([Liar.Peer], reputation.PieceHashed(valid: false, [Liar]).Bans.Select(b => b.Peer));
    }

    [Fact]
    public void Shared_bad_pieces_ban_only_peers_that_never_took_part_in_a_good_one()
    {
        var reputation = Fresh.PieceHashed(valid: true, [Honest]).Reputation;
        reputation = reputation.PieceHashed(valid: false, [Liar, Honest]).Reputation;

        var (after, bans) = reputation.PieceHashed(valid: false, [Liar, Honest]);

        Assert.Equal([Liar.Peer], bans.Select(b => b.Peer));
        Assert.Equal(new PeerTrackRecord(1, 2, 0), after.RecordOf(Honest.EndPoint));
        Assert.Equal(new PeerTrackRecord(0, 2, 0), after.RecordOf(Liar.EndPoint));
    }

    [Fact]
    public void A_good_piece_counts_for_every_peer_that_sent_part_of_it_and_bans_no_one()
    {
        var (reputation, bans) = Fresh.PieceHashed(valid: true, [Liar, Honest, Other]);

        Assert.Empty(bans);
        Assert.Equal(0, reputation.HashFailures);
        Assert.All([Liar, Honest, Other], c => Assert.Equal(new PeerTrackRecord(1, 0, 0), reputation.RecordOf(c.EndPoint)));
    }

    [Fact]
    public void A_bad_piece_with_no_connected_contributor_still_counts_as_a_hash_failure()
    {
        var (reputation, bans) = Fresh.PieceHashed(valid: false, []);
        Assert.Empty(bans);
        Assert.Equal(1, reputation.HashFailures);
    }

    [Fact]
    public void Records_are_kept_by_endpoint_across_connections()
    {
        // A peer that reconnects gets a new connection key, but its endpoint carries its history.
        var reputation = Fresh.PieceHashed(valid: false, [Liar]).Reputation;
        var (_, bans) = reputation.PieceHashed(valid: false, [Liar with { Peer = 9 }]);

        Assert.Equal([9], bans.Select(b => b.Peer));
    }

    [Fact]
    public void A_bad_piece_shared_with_a_peer_that_left_is_failed_alone_by_no_one()
    {
        // The torrent passes every contributor, gone or not: the honest peer that stayed is not "alone" with it.
        var reputation = Fresh;
        for (var i = 0; i < 5; i++)
        {
            reputation = reputation.PieceHashed(valid: true, [Honest]).Reputation;
            var (next, bans) = reputation.PieceHashed(valid: false, [Liar with { Peer = 10 + i }, Honest]);
            Assert.DoesNotContain(Honest.Peer, bans.Select(b => b.Peer));
            reputation = next;
        }

        Assert.Equal(0, reputation.RecordOf(Honest.EndPoint).FailedAlone);
    }

    [Fact]
    public void Banned_peers_are_counted_once_each()
    {
        var reputation = Fresh.Ban(Liar.EndPoint, "aa").Ban(Liar.EndPoint, "aa").Ban(Other.EndPoint, null);

        Assert.Equal(2, reputation.BannedPeers);
    }

    [Fact]
    public void A_ban_covers_the_endpoint_and_the_peer_id()
    {
        var reputation = Fresh.Ban(Liar.EndPoint, "2d5452333030302d");

        Assert.True(reputation.IsBanned(Liar.EndPoint));
        Assert.True(reputation.IsBanned("2d5452333030302d"));
        Assert.False(reputation.IsBanned(Honest.EndPoint));
        Assert.False(Fresh.Ban(Honest.EndPoint, null).IsBanned(Liar.EndPoint));
    }

    [Fact]
    public void Pieces_passed_at_once_count_as_that_many_good_pieces()
    {
        var oneByOne = Fresh;
        for (var i = 0; i < 3; i++)
        {
            oneByOne = oneByOne.PieceHashed(valid: true, [Other]).Reputation;
        }

        var atOnce = Fresh.PiecesPassed(Other, 3);

        Assert.Equal(oneByOne.RecordOf(Other.EndPoint), atOnce.RecordOf(Other.EndPoint));
        Assert.Equal(new PeerTrackRecord(3, 0, 0), atOnce.RecordOf(Other.EndPoint));
        Assert.Same(atOnce, atOnce.PiecesPassed(Other, 0));
        // A peer that took part in good pieces is not banned for shared bad ones.
        var (after, bans) = atOnce.PieceHashed(valid: false, [Other, Liar]).Reputation.PieceHashed(valid: false, [Other, Liar]);
        Assert.Equal([Liar.Peer], bans.Select(b => b.Peer));
        Assert.Equal(2, after.HashFailures);
    }
}
