using Swarm.Actors.Tests.Support;
using Swarm.Actors.TrackerClient;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Actors.Tests.TrackerClient;

/// <summary>BEP 15 connection ids expire on the node's clock, here moved by hand.</summary>
public sealed class UdpConnectionIdsTests
{
    private const string Url = "udp://tracker.example:6969/announce";
    private readonly ManualClock _clock = new();

    [Fact]
    public void An_id_is_used_for_its_lifetime_and_not_a_moment_longer()
    {
        var ids = new UdpConnectionIds(UdpTrackerCodec.ConnectionIdLifetime).Received(Url, 42, _clock.GetUtcNow());

        _clock.Advance(UdpTrackerCodec.ConnectionIdLifetime);
        Assert.Equal(42, ids.Valid(Url, _clock.GetUtcNow()));

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(ids.Valid(Url, _clock.GetUtcNow()));
    }

    [Fact]
    public void Ids_are_kept_per_tracker_and_a_new_one_replaces_the_old()
    {
        var ids = new UdpConnectionIds(TimeSpan.FromMinutes(1))
            .Received(Url, 1, _clock.GetUtcNow())
            .Received("udp://other:80", 2, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(50));
        ids = ids.Received(Url, 3, _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(3, ids.Valid(Url, _clock.GetUtcNow()));
        Assert.Null(ids.Valid("udp://other:80", _clock.GetUtcNow()));
    }

    [Fact]
    public void A_forgotten_id_is_not_used_again()
    {
        var ids = new UdpConnectionIds(TimeSpan.FromMinutes(1)).Received(Url, 7, _clock.GetUtcNow()).Forget(Url);
        Assert.Null(ids.Valid(Url, _clock.GetUtcNow()));
    }
}
