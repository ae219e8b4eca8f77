using Swarm.Actors.Torrent;
using Xunit;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>When a networking torrent runs its periodic timers and when it sleeps.</summary>
public sealed class TorrentPaceTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Connections_or_web_seeds_keep_it_awake_without_looking_at_the_candidates()
    {
        Func<DateTimeOffset?> never = () => throw new InvalidOperationException("candidates read for nothing");
        Assert.Equal(TorrentPace.Busy, TorrentPace.Decide(connections: 1, webSeeds: false, never, Now));
        Assert.Equal(TorrentPace.Busy, TorrentPace.Decide(connections: 0, webSeeds: true, never, Now));
    }

    [Fact]
    public void With_nothing_to_dial_it_sleeps_until_an_event_wakes_it()
    {
        Assert.Equal(new TorrentPace(false, null), TorrentPace.Decide(0, false, () => null, Now));
    }

    [Fact]
    public void A_candidate_due_now_keeps_it_awake_and_one_in_backoff_sets_when_it_wakes()
    {
        Assert.Equal(TorrentPace.Busy, TorrentPace.Decide(0, false, () => Now, Now));
        Assert.Equal(TorrentPace.Busy, TorrentPace.Decide(0, false, () => Now - TimeSpan.FromSeconds(1), Now));
        Assert.Equal(new TorrentPace(false, TimeSpan.FromSeconds(8)), TorrentPace.Decide(0, false, () => Now + TimeSpan.FromSeconds(8), Now));
    }
}
