using System.Net;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Xunit;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>Dial candidates and their backoff, on a hand-moved clock.</summary>
public sealed class PeerCandidatesTests
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly IPEndPoint A = new(IPAddress.Loopback, 6001);
    private static readonly IPEndPoint B = new(IPAddress.Loopback, 6002);
    private static readonly IPEndPoint C = new(IPAddress.Loopback, 6003);
    private readonly ManualClock _clock = new();

    private static PeerCandidates With(params IPEndPoint[] endpoints) => PeerCandidates.Empty.Add(endpoints, _ => false);

    [Fact]
    public void New_endpoints_are_due_at_once_in_the_order_they_were_given()
    {
        var candidates = With(C, A, B);
        Assert.Equal([C, A, B], candidates.DueForDial(_clock.GetUtcNow(), seeding: false).Select(c => c.EndPoint));
    }

    [Fact]
    public void An_endpoint_known_already_banned_or_ignored_is_not_added()
    {
        var candidates = With(A).Dialled(A.ToString());
        candidates = candidates.Add([A, B, C], key => key == B.ToString()).Ignore(C.ToString()).Add([C], _ => false);

        Assert.Equal(1, candidates.Count); // A once (still being dialled); B is banned; C was taken, then ignored for good
        Assert.Null(candidates[B.ToString()]);
        Assert.Null(candidates[C.ToString()]);
        Assert.Equal(1, candidates[A.ToString()]!.Attempts);
    }

    [Fact]
    public void A_candidate_being_dialled_is_not_dialled_twice()
    {
        var candidates = With(A, B).Dialled(A.ToString());
        Assert.Equal([B], candidates.DueForDial(_clock.GetUtcNow(), seeding: false).Select(c => c.EndPoint));
    }

    [Fact]
    public void Failed_dials_back_off_2_4_8_seconds_until_the_cap()
    {
        var key = A.ToString();
        var candidates = With(A);
        foreach (var expected in new[] { 2, 4, 8, 16, 30, 30 })
        {
            candidates = candidates.Dialled(key).Closed(key, _clock.GetUtcNow(), MaxBackoff);

            _clock.Advance(TimeSpan.FromSeconds(expected) - TimeSpan.FromMilliseconds(1));
            Assert.Empty(candidates.DueForDial(_clock.GetUtcNow(), seeding: false));
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Single(candidates.DueForDial(_clock.GetUtcNow(), seeding: false));
        }
    }

    [Fact]
    public void A_handshake_forgives_earlier_failures_so_a_closed_connection_is_redialled_after_a_second()
    {
        var key = A.ToString();
        var candidates = With(A).Dialled(key).Closed(key, _clock.GetUtcNow(), MaxBackoff);
        _clock.Advance(TimeSpan.FromSeconds(2));
        candidates = candidates.Dialled(key).Connected(key).Closed(key, _clock.GetUtcNow(), MaxBackoff);

        Assert.Equal(0, candidates[key]!.Attempts);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Single(candidates.DueForDial(_clock.GetUtcNow(), seeding: false));
    }

    [Fact]
    public void Endpoints_with_fewer_failures_are_dialled_first()
    {
        var candidates = With(A, B).Dialled(A.ToString()).Closed(A.ToString(), _clock.GetUtcNow(), MaxBackoff);
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal([B, A], candidates.DueForDial(_clock.GetUtcNow(), seeding: false).Select(c => c.EndPoint));
    }

    [Fact]
    public void A_seeding_torrent_does_not_dial_known_seeds()
    {
        var candidates = With(A, B).PiecesSeen(A.ToString(), complete: true).PiecesSeen(B.ToString(), complete: false);

        Assert.Equal([B], candidates.DueForDial(_clock.GetUtcNow(), seeding: true).Select(c => c.EndPoint));
        Assert.Equal([A, B], candidates.DueForDial(_clock.GetUtcNow(), seeding: false).Select(c => c.EndPoint));
    }

    [Fact]
    public void A_removed_candidate_can_come_back_an_ignored_one_cannot()
    {
        var candidates = With(A, B).Remove(A.ToString()).Ignore(B.ToString()).Add([A, B], _ => false);
        Assert.Equal([A], candidates.DueForDial(_clock.GetUtcNow(), seeding: false).Select(c => c.EndPoint));
    }

    [Fact]
    public void Changes_to_an_unknown_candidate_change_nothing()
    {
        var candidates = With(A);
        Assert.Same(candidates, candidates.Dialled(B.ToString()).Closed(B.ToString(), _clock.GetUtcNow(), MaxBackoff));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 8)]
    [InlineData(10, 1024)]
    [InlineData(40, 1024)]
    public void Backoff_doubles_per_attempt_up_to_ten_doublings(int attempts, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), PeerCandidates.Backoff(attempts, TimeSpan.FromHours(1)));
    }
}
