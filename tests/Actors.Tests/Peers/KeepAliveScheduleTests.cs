using Swarm.Actors.Peers;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class KeepAliveScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(120);

    [Fact]
    public void A_keep_alive_is_due_after_half_the_idle_timeout_without_sending()
    {
        var schedule = KeepAliveSchedule.StartingAt(T0).Received(T0 + TimeSpan.FromSeconds(50));

        Assert.Equal(KeepAliveDue.Nothing, schedule.Check(T0 + TimeSpan.FromSeconds(60), Idle));
        Assert.Equal(KeepAliveDue.SendKeepAlive, schedule.Check(T0 + TimeSpan.FromSeconds(61), Idle));
        Assert.Equal(KeepAliveDue.Nothing, schedule.Sent(T0 + TimeSpan.FromSeconds(61)).Check(T0 + TimeSpan.FromSeconds(61), Idle));
    }

    [Fact]
    public void A_peer_silent_for_the_whole_idle_timeout_is_idle_even_while_we_keep_sending()
    {
        var schedule = KeepAliveSchedule.StartingAt(T0).Sent(T0 + TimeSpan.FromSeconds(119));

        Assert.Equal(KeepAliveDue.Nothing, schedule.Check(T0 + TimeSpan.FromSeconds(120), Idle));
        Assert.Equal(KeepAliveDue.PeerIdle, schedule.Check(T0 + TimeSpan.FromSeconds(121), Idle));
        Assert.Equal(KeepAliveDue.Nothing, schedule.Received(T0 + TimeSpan.FromSeconds(121)).Check(T0 + TimeSpan.FromSeconds(121), Idle));
    }
}
