using Swarm.Node.Http;
using Xunit;

namespace Swarm.Node.Tests.Http;

/// <summary>Transmission ids stay with their torrent for the node's life; dates and recently removed ids.</summary>
public sealed class TorrentIdsTests
{
    private const string A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string C = "cccccccccccccccccccccccccccccccccccccccc";

    [Fact]
    public void Ids_are_given_once_and_never_reused_for_another_torrent()
    {
        var clock = new StepClock();
        var ids = new TorrentIds(clock);
        ids.Observe([(A, false), (B, false)]);
        Assert.Equal(1, ids.IdOf(A));
        Assert.Equal(2, ids.IdOf(B));

        ids.Observe([(B, false)]);
        Assert.Null(ids.HashOf(1));
        ids.Observe([(B, false), (C, false)]);
        Assert.Equal(3, ids.IdOf(C));
        Assert.Equal(B, ids.HashOf(2));

        // Added again, the same torrent has its old id back.
        ids.Observe([(A, false), (B, false), (C, false)]);
        Assert.Equal(1, ids.IdOf(A));
        Assert.Equal(0, ids.IdOf("dddddddddddddddddddddddddddddddddddddddd"));
        Assert.Equal(4, ids.Assign("dddddddddddddddddddddddddddddddddddddddd"));
    }

    [Fact]
    public void Dates_are_when_first_seen_and_first_seen_complete()
    {
        var clock = new StepClock();
        var ids = new TorrentIds(clock);
        var start = clock.GetUtcNow().ToUnixTimeSeconds();
        ids.Observe([(A, false)]);
        clock.Advance(TimeSpan.FromSeconds(30));
        ids.Observe([(A, false)]);
        Assert.Equal(start, ids.AddedDate(A));
        Assert.Equal(0, ids.DoneDate(A));

        clock.Advance(TimeSpan.FromSeconds(30));
        ids.Observe([(A, true)]);
        clock.Advance(TimeSpan.FromSeconds(30));
        ids.Observe([(A, true)]);
        Assert.Equal(start + 60, ids.DoneDate(A));
    }

    [Fact]
    public void Removed_torrents_are_reported_for_a_minute()
    {
        var clock = new StepClock();
        var ids = new TorrentIds(clock);
        ids.Observe([(A, false), (B, false)]);
        ids.Observe([(B, false)]);
        Assert.Equal([1], ids.RecentlyRemoved());
        clock.Advance(TorrentIds.RecentWindow + TimeSpan.FromSeconds(1));
        Assert.Empty(ids.RecentlyRemoved());
    }

    /// <summary>Time moved by hand.</summary>
    private sealed class StepClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
