using Swarm.Actors.Peers;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class ConnectionLimiterTests
{
    [Fact]
    public void Slots_are_capped_and_come_back_when_released()
    {
        var limiter = new ConnectionLimiter(maxConnections: 2, maxHalfOpen: 1);
        Assert.True(limiter.TryOpen());
        Assert.True(limiter.TryOpen());
        Assert.False(limiter.TryOpen());
        Assert.True(limiter.TryBeginConnect());
        Assert.False(limiter.TryBeginConnect());

        limiter.Close();
        limiter.EndConnect();

        Assert.True(limiter.TryOpen());
        Assert.True(limiter.TryBeginConnect());
    }

    [Fact]
    public void A_held_slot_is_given_back_once_however_often_it_is_released()
    {
        var limiter = new ConnectionLimiter(maxConnections: 1, maxHalfOpen: 1);
        Assert.True(limiter.TryOpen());
        Assert.True(limiter.TryBeginConnect());
        var open = limiter.HeldOpen();
        var connect = limiter.HeldConnect();

        // The handshake completes (connect slot back), then the connection stops (both, again).
        connect.Release();
        connect.Release();
        open.Release();
        open.Release();

        // Released twice but counted once: only one slot of each is free, not two.
        Assert.True(limiter.TryOpen());
        Assert.False(limiter.TryOpen());
        Assert.True(limiter.TryBeginConnect());
        Assert.False(limiter.TryBeginConnect());
    }
}
