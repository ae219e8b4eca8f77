using Swarm.Actors.Peers;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class RateLimitTests
{
    [Fact]
    public void Unlimited_never_waits()
    {
        var limit = new RateLimit(0);
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(TimeSpan.Zero, limit.Reserve(1 << 20));
        }
    }

    [Fact]
    public void Debt_is_paid_back_at_the_configured_rate()
    {
        var limit = new RateLimit(1 << 20);
        // A fresh bucket is empty: 1 MiB at 1 MiB/s waits about a second, the next MiB about two.
        var first = limit.Reserve(1 << 20);
        var second = limit.Reserve(1 << 20);
        Assert.InRange(first.TotalSeconds, 0.9, 1.01);
        Assert.InRange(second.TotalSeconds, 1.9, 2.01);
    }

    [Fact]
    public void Raising_the_limit_forgives_debt_run_up_under_the_old_one()
    {
        var limit = new RateLimit(1024);
        Assert.True(limit.Reserve(1 << 20) > TimeSpan.FromMinutes(10));
        limit.BytesPerSecond = 0;
        Assert.Equal(TimeSpan.Zero, limit.Reserve(1 << 20));
        limit.BytesPerSecond = 1 << 20;
        Assert.InRange(limit.Reserve(16 << 10).TotalMilliseconds, 0, 20);
    }

    [Fact]
    public void The_strictest_of_several_limits_wins()
    {
        RateLimit[] limits = [new(10 << 20), new(1 << 20), new(0)];
        Assert.InRange(TransferLimits.Reserve(limits, 1 << 20).TotalSeconds, 0.9, 1.01);
    }

    [Fact]
    public void Negative_rates_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(-1));
}
