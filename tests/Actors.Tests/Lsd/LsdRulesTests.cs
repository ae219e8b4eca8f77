using System.Net;
using Swarm.Actors.Lsd;
using Swarm.Protocol;
using Xunit;

namespace Swarm.Actors.Tests.Lsd;

/// <summary>The LSD receive gate and announce schedule, on a clock given by hand.</summary>
public sealed class LsdRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_gate_admits_a_number_per_source_and_in_total_per_minute()
    {
        var gate = LsdGate.Empty;
        var a = IPAddress.Parse("192.168.1.2");
        var b = IPAddress.Parse("192.168.1.3");
        var admitted = 0;
        for (var i = 0; i < 10; i++)
        {
            (gate, var ok) = gate.Admit(a, T0, perSource: 3, total: 5);
            admitted += ok ? 1 : 0;
        }

        Assert.Equal(3, admitted);
        (gate, var fromB) = gate.Admit(b, T0.AddSeconds(1), 3, 5);
        Assert.True(fromB);
        (gate, fromB) = gate.Admit(b, T0.AddSeconds(2), 3, 5);
        Assert.True(fromB);
        (gate, fromB) = gate.Admit(b, T0.AddSeconds(3), 3, 5);
        Assert.False(fromB); // the total of 5 is reached
        Assert.Equal(8, gate.Dropped);

        (_, var later) = gate.Admit(a, T0.AddMinutes(1), 3, 5);
        Assert.True(later); // a new minute
    }

    [Fact]
    public void The_schedule_announces_each_torrent_at_most_once_per_min_interval_in_batches()
    {
        var hashes = Enumerable.Range(1, 5).Select(i => InfoHash.Parse($"{i:x40}")).ToList();
        var (s, batches) = LsdSchedule.Empty.Due(hashes, T0, TimeSpan.FromMinutes(1), batch: 2);
        Assert.Equal([2, 2, 1], batches.Select(b => b.Count));
        Assert.Equal(hashes, batches.SelectMany(b => b));

        var six = InfoHash.Parse($"{6:x40}");
        (s, batches) = s.Due([.. hashes, six], T0.AddSeconds(30), TimeSpan.FromMinutes(1), 2);
        Assert.Equal([six], batches.SelectMany(b => b)); // only the newcomer

        (_, batches) = s.Due(hashes[..1], T0.AddMinutes(1), TimeSpan.FromMinutes(1), 2);
        Assert.Equal([hashes[0]], batches.SelectMany(b => b));
    }
}
