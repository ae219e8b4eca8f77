using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.TrackerClient;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Actors.Tests.TrackerClient;

/// <summary>BEP 12 tier order and the announce schedule, without actors.</summary>
public sealed class AnnounceTiersTests
{
    private static readonly TrackerSettings Settings = TestNodes.Settings.Tracker;

    [Fact]
    public void Tiers_keep_their_order_and_their_trackers_are_shuffled_within()
    {
        string[][] given = [["a", "b", "c", "d", "e", "f"], ["x"], ["y", "z"]];
        var orders = Enumerable.Range(0, 20).Select(seed => AnnounceTiers.Shuffled(given, new Random(seed))).ToList();

        Assert.All(orders, o => Assert.Equal(given.Select(t => t.Order()), o.Tiers.Select(t => t.Order())));
        Assert.True(orders.Select(o => string.Concat(o.Tiers[0])).Distinct().Count() > 1, "twenty seeds should not all give one order");
    }

    [Fact]
    public void The_tracker_that_answered_moves_to_the_front_of_its_tier_only()
    {
        var tiers = AnnounceTiers.Shuffled([["a", "b", "c"], ["d", "e"]], new Random(1));
        var first = tiers.Tiers[0];
        var last = first[^1];

        var after = tiers.Answered(0, last);

        Assert.Equal([last, .. first.Where(u => u != last)], after.Tiers[0].AsEnumerable());
        Assert.Equal(tiers.Tiers[1].AsEnumerable(), after.Tiers[1].AsEnumerable());
        Assert.Equal(last, after.First);
    }

    [Fact]
    public void An_answer_from_no_known_tracker_changes_nothing()
    {
        var tiers = AnnounceTiers.Shuffled([["a"]], new Random(1));
        Assert.Same(tiers, tiers.Answered(-1, "a"));
        Assert.Same(tiers, tiers.Answered(0, "zz"));
        Assert.Same(tiers, tiers.Answered(3, "a"));
    }

    [Fact]
    public void A_torrent_without_trackers_has_none_to_tell()
    {
        Assert.Null(AnnounceTiers.Shuffled([], new Random(1)).First);
        Assert.Null(AnnounceTiers.Shuffled([[]], new Random(1)).First);
    }

    [Fact]
    public void A_failed_round_and_an_empty_swarm_are_retried_soon()
    {
        Assert.Equal(Settings.RetryInterval, AnnounceSchedule.Next(null, Settings));
        Assert.Equal(Settings.RetryInterval, AnnounceSchedule.Next(Answer(TimeSpan.FromMinutes(30), peers: 0), Settings));
    }

    [Fact]
    public void Otherwise_the_trackers_interval_is_kept_but_never_below_the_floor()
    {
        Assert.Equal(TimeSpan.FromMinutes(30), AnnounceSchedule.Next(Answer(TimeSpan.FromMinutes(30), peers: 3), Settings));
        Assert.Equal(Settings.MinInterval, AnnounceSchedule.Next(Answer(TimeSpan.FromSeconds(1), peers: 3), Settings));
    }

    private static AnnounceResponse Answer(TimeSpan interval, int peers) => new(
        interval,
        null,
        [.. Enumerable.Range(1, peers).Select(i => new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 6000 + i))],
        null,
        null,
        null,
        null);
}
