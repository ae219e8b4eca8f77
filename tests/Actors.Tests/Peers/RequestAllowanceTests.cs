using Swarm.Actors.Peers;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class RequestAllowanceTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_burst_is_allowed_then_nothing_until_it_refills()
    {
        var a = RequestAllowance.Full(burst: 3, perSecond: 1, T0);
        for (var i = 0; i < 3; i++)
        {
            (a, var ok) = a.Take(T0);
            Assert.True(ok);
        }

        (a, var fourth) = a.Take(T0);
        Assert.False(fourth);
        (a, var later) = a.Take(T0.AddSeconds(1));
        Assert.True(later);
        (_, var again) = a.Take(T0.AddSeconds(1.5));
        Assert.False(again);
    }

    [Fact]
    public void Idle_time_never_saves_up_more_than_the_burst()
    {
        var a = RequestAllowance.Full(burst: 2, perSecond: 100, T0);
        var allowed = 0;
        for (var i = 0; i < 10; i++)
        {
            (a, var ok) = a.Take(T0.AddHours(1));
            allowed += ok ? 1 : 0;
        }

        Assert.Equal(2, allowed);
    }

    [Fact]
    public void A_clock_that_steps_back_refills_nothing()
    {
        var (a, _) = RequestAllowance.Full(burst: 1, perSecond: 1, T0).Take(T0);
        (_, var ok) = a.Take(T0.AddSeconds(-10));
        Assert.False(ok);
    }
}
