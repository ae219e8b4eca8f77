using System.Net;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Xunit;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>Dial candidates and their backoff, on a hand-moved clock.</summary>
public sealed class PeerCandidatesTests
{
    private const int Capacity = 3000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private static readonly IPEndPoint A = new(IPAddress.Loopback, 6001);
    private static readonly IPEndPoint B = new(IPAddress.Loopback, 6002);
    private static readonly IPEndPoint C = new(IPAddress.Loopback, 6003);
    private readonly ManualClock _clock = new();

    private static PeerCandidates With(params IPEndPoint[] endpoints) => PeerCandidates.Empty.Add(endpoints, _ => false, Capacity);

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
        candidates = candidates.Add([A, B, C], key => key == B.ToString(), Capacity).Ignore(C.ToString()).Add([C], _ => false, Capacity);

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
        var candidates = With(A, B).Remove(A.ToString()).Ignore(B.ToString()).Add([A, B], _ => false, Capacity);
        Assert.Equal([A], candidates.DueForDial(_clock.GetUtcNow(), seeding: false).Select(c => c.EndPoint));
    }

    [Fact]
    public void Changes_to_an_unknown_candidate_change_nothing()
    {
        var candidates = With(A);
        Assert.Same(candidates, candidates.Dialled(B.ToString()).Closed(B.ToString(), _clock.GetUtcNow(), MaxBackoff));
    }

    [Fact]
    public void A_tracker_reply_of_700k_peers_leaves_the_list_at_its_cap_holding_the_first_learnt()
    {
        var huge = Enumerable.Range(0, 700_000).Select(Numbered).ToList();

        var candidates = PeerCandidates.Empty.Add(huge, _ => false, Capacity);

        Assert.Equal(Capacity, candidates.Count);
        Assert.Equal(Capacity, candidates.IdleCount);
        Assert.Equal(huge.Take(3), candidates.DueForDial(_clock.GetUtcNow(), seeding: false).Take(3).Select(c => c.EndPoint));
        Assert.NotNull(candidates[huge[Capacity - 1].ToString()]);
        Assert.Null(candidates[huge[Capacity].ToString()]);
    }

    [Fact]
    public void When_full_a_newcomer_replaces_the_candidate_with_most_failed_dials_the_oldest_of_them_first()
    {
        var d = Numbered(4);
        var e = Numbered(5);
        var f = Numbered(6);
        var candidates = PeerCandidates.Empty.Add([A, B, C], _ => false, capacity: 3);
        candidates = Fail(Fail(candidates, A), A); // two failed dials
        candidates = Fail(Fail(candidates, B), B); // two, learnt after A
        candidates = Fail(candidates, C); // one

        candidates = candidates.Add([d], _ => false, capacity: 3);
        Assert.Null(candidates[A.ToString()]);
        candidates = candidates.Add([e], _ => false, capacity: 3);
        Assert.Null(candidates[B.ToString()]);
        candidates = candidates.Add([f], _ => false, capacity: 3);
        Assert.Null(candidates[C.ToString()]);

        // Now every candidate is untried: a newcomer is no better, and is dropped.
        var full = candidates.Add([Numbered(7)], _ => false, capacity: 3);
        Assert.Equal([d, e, f], full.DueForDial(_clock.GetUtcNow() + TimeSpan.FromHours(1), seeding: false).Select(c => c.EndPoint));
    }

    [Fact]
    public void A_candidate_being_dialled_or_connected_is_never_replaced()
    {
        var candidates = Fail(PeerCandidates.Empty.Add([A, B], _ => false, capacity: 2), B).Dialled(A.ToString()).Dialled(A.ToString());

        candidates = candidates.Add([C], _ => false, capacity: 2); // A (in use) has more failures, B (idle, 1) gives way
        Assert.NotNull(candidates[A.ToString()]);
        Assert.Null(candidates[B.ToString()]);

        Assert.Null(candidates.Add([Numbered(9)], _ => false, capacity: 2)[Numbered(9).ToString()]);
    }

    [Fact]
    public void Dial_order_follows_every_change_without_a_sort()
    {
        var candidates = With(A, B, C);
        candidates = Fail(candidates, A); // A: one failure, due in 2 s
        candidates = candidates.Dialled(B.ToString()); // B: in use

        Assert.Equal([C], candidates.DueForDial(_clock.GetUtcNow(), seeding: false).Select(c => c.EndPoint));
        candidates = candidates.Connected(B.ToString()).Closed(B.ToString(), _clock.GetUtcNow(), MaxBackoff);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([B, C, A], candidates.DueForDial(_clock.GetUtcNow(), seeding: false).Select(c => c.EndPoint));
        Assert.Equal([B, C], candidates.Remove(A.ToString()).DueForDial(_clock.GetUtcNow(), seeding: false).Select(c => c.EndPoint));
    }

    private static IPEndPoint Numbered(int i) => new(new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]), 6881);

    private PeerCandidates Fail(PeerCandidates candidates, IPEndPoint ep) =>
        candidates.Dialled(ep.ToString()).Closed(ep.ToString(), _clock.GetUtcNow(), MaxBackoff);

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

    [Fact]
    public void The_next_dial_is_the_earliest_backoff_end_and_none_when_nothing_is_left_to_dial()
    {
        var now = _clock.GetUtcNow();
        Assert.Null(PeerCandidates.Empty.NextDial(now, seeding: false));

        // A failed twice (4 s), B once (2 s), C is being dialled: B's backoff ends first.
        var candidates = With(A, B, C)
            .Dialled(A.ToString()).Closed(A.ToString(), now, MaxBackoff).Dialled(A.ToString()).Closed(A.ToString(), now, MaxBackoff)
            .Dialled(B.ToString()).Closed(B.ToString(), now, MaxBackoff)
            .Dialled(C.ToString());
        Assert.Equal(now + TimeSpan.FromSeconds(2), candidates.NextDial(now, seeding: false));

        // Seeding, a known seed is never dialled: only A is left to wait for.
        candidates = candidates.PiecesSeen(B.ToString(), complete: true);
        Assert.Equal(now + TimeSpan.FromSeconds(4), candidates.NextDial(now, seeding: true));

        // One due already is due now; none at all once every candidate is in use.
        Assert.True(With(A).NextDial(now, seeding: false) <= now);
        Assert.Null(With(A).Dialled(A.ToString()).NextDial(now, seeding: false));
    }
}
