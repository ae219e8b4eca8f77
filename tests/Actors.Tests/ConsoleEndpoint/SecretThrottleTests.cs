using Swarm.Actors.Configuration;
using Swarm.Actors.ConsoleEndpoint;
using Xunit;

namespace Swarm.Actors.Tests.ConsoleEndpoint;

/// <summary>The wrong-secret rule without any actor: answers later and later per requester, parallel guesses in line,
/// a bounded number pending, others untouched, and a fresh start after a quiet period.</summary>
public sealed class SecretThrottleTests
{
    private static readonly ConsoleGuardSettings Guard = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), MaxWaiting: 3);
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Sequential_wrong_secrets_wait_longer_each_time_up_to_the_cap_and_only_the_first_starts_a_burst()
    {
        var throttle = new SecretThrottle(Guard);
        var now = T0;
        var delays = new List<TimeSpan>();
        var starts = new List<bool>();
        for (var i = 0; i < 6; i++)
        {
            (throttle, var delay, var burst) = throttle.Wrong("10.0.0.9", now);
            delays.Add(delay);
            starts.Add(burst);
            now += delay; // answered, then the next guess
            throttle = throttle.Answered("10.0.0.9");
        }

        Assert.Equal([250, 500, 1000, 2000, 2000, 2000], delays.Select(d => (int)d.TotalMilliseconds));
        Assert.Equal([true, false, false, false, false, false], starts);
    }

    [Fact]
    public void Parallel_wrong_secrets_are_answered_one_after_the_other_and_beyond_max_waiting_refused_unchecked()
    {
        var throttle = new SecretThrottle(Guard);
        var answers = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(throttle.Admits("10.0.0.9"));
            (throttle, var delay, _) = throttle.Wrong("10.0.0.9", T0);
            answers.Add(delay);
        }

        // Each waits for the one before it: 0.25, then +0.5, then +1 s.
        Assert.Equal([250, 750, 1750], answers.Select(d => (int)d.TotalMilliseconds));
        Assert.False(throttle.Admits("10.0.0.9"));
        Assert.True(throttle.Admits("10.0.0.7"));
        Assert.True(throttle.Answered("10.0.0.9").Admits("10.0.0.9"));
    }

    [Fact]
    public void Another_requester_is_not_slowed_down()
    {
        var (throttle, _, _) = new SecretThrottle(Guard).Wrong("10.0.0.9", T0);
        (throttle, _, _) = throttle.Wrong("10.0.0.9", T0);

        var (_, delay, burst) = throttle.Wrong("10.0.0.7", T0);

        Assert.Equal(TimeSpan.FromMilliseconds(250), delay);
        Assert.True(burst);
    }

    [Fact]
    public void A_quiet_requester_starts_afresh_and_its_ended_burst_is_reported_once()
    {
        var throttle = new SecretThrottle(Guard);
        for (var i = 0; i < 4; i++)
        {
            (throttle, _, _) = throttle.Wrong("10.0.0.9", T0);
            throttle = throttle.Answered("10.0.0.9");
        }

        throttle = throttle.RefusedUnchecked("10.0.0.9");
        var (still, none) = throttle.Sweep(T0 + TimeSpan.FromSeconds(59));
        Assert.Empty(none);
        Assert.Equal(1, still.Count);

        var (swept, ended) = throttle.Sweep(T0 + TimeSpan.FromSeconds(60));
        Assert.Equal(new SecretThrottle.EndedBurst("10.0.0.9", 4, 1, T0, T0), Assert.Single(ended));
        Assert.Equal(0, swept.Count);
        Assert.Empty(swept.Sweep(T0 + TimeSpan.FromSeconds(200)).Ended);

        var (_, delay, burst) = throttle.Wrong("10.0.0.9", T0 + TimeSpan.FromSeconds(61));
        Assert.Equal((TimeSpan.FromMilliseconds(250), true), (delay, burst));
    }
}
