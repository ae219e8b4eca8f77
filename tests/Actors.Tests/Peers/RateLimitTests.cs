using Swarm.Actors.Peers;
using Swarm.Actors.Tests.Support;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class RateLimitTests
{
    private const int MiB = 1 << 20;

    [Fact]
    public void Unlimited_never_waits()
    {
        var limit = new RateLimit(0, new ManualClock());
        for (var i = 0; i < 1000; i++)
        {
            Assert.Equal(TimeSpan.Zero, limit.Reserve(MiB));
        }
    }

    [Fact]
    public void Reserving_a_received_block_against_unlimited_scopes_allocates_nothing()
    {
        // The reader reserves every received block against the torrent's and the node's limits (issue 14).
        IReadOnlyList<RateLimit> limits = [new RateLimit(0, new ManualClock()), new RateLimit(0, new ManualClock())];
        TransferLimits.Reserve(limits, 16384); // once, so that what runs the first time is not counted below

        var before = GC.GetAllocatedBytesForCurrentThread();
        var wait = TimeSpan.Zero;
        for (var i = 0; i < 1000; i++)
        {
            wait += TransferLimits.Reserve(limits, 16384);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(TimeSpan.Zero, wait);
        Assert.True(allocated < 1000, $"{allocated} bytes for 1,000 blocks"); // an enumerator per block was 32,000
    }

    [Fact]
    public void Debt_is_paid_back_at_the_configured_rate()
    {
        var clock = new ManualClock();
        var limit = new RateLimit(MiB, clock);
        // A fresh bucket is empty: 1 MiB at 1 MiB/s waits a second, the next MiB two.
        Assert.Equal(1.0, limit.Reserve(MiB).TotalSeconds, 6);
        Assert.Equal(2.0, limit.Reserve(MiB).TotalSeconds, 6);
        // Half a second later half a MiB of the debt is paid.
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(2.0, limit.Reserve(MiB / 2).TotalSeconds, 6);
    }

    [Fact]
    public void An_idle_bucket_lets_only_a_burst_through_at_once()
    {
        var clock = new ManualClock();
        var limit = new RateLimit(MiB, clock);
        clock.Advance(TimeSpan.FromMinutes(10));
        // Ten idle minutes bank a quarter second of traffic, not ten minutes of it.
        Assert.Equal(TimeSpan.Zero, limit.Reserve(MiB / 4));
        Assert.Equal(0.25, limit.Reserve(MiB / 4).TotalSeconds, 6);
    }

    [Fact]
    public void Raising_the_limit_forgives_debt_run_up_under_the_old_one()
    {
        var clock = new ManualClock();
        var limit = new RateLimit(1024, clock);
        Assert.True(limit.Reserve(MiB) > TimeSpan.FromMinutes(10));
        limit.BytesPerSecond = 0;
        Assert.Equal(TimeSpan.Zero, limit.Reserve(MiB));
        limit.BytesPerSecond = MiB;
        Assert.Equal(16.0 / 1024, limit.Reserve(16 << 10).TotalSeconds, 6);
    }

    [Fact]
    public void The_strictest_of_several_limits_wins()
    {
        var clock = new ManualClock();
        RateLimit[] limits = [new(10 * MiB, clock), new(MiB, clock), new(0, clock)];
        Assert.Equal(1.0, TransferLimits.Reserve(limits, MiB).TotalSeconds, 6);
    }

    [Fact]
    public void Negative_rates_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RateLimit(-1));
}
