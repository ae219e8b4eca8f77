using Akka.Configuration;
using Swarm.Node.Http;
using Xunit;

namespace Swarm.Node.Tests.Http;

/// <summary>swarm.dashboard: the shipped file's values are the defaults, and values that cannot work are refused.</summary>
public sealed class DashboardSettingsTests
{
    [Fact]
    public void The_shipped_hocon_gives_the_defaults()
    {
        var shipped = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "swarm.conf")));
        Assert.Equal(DashboardSettings.Default, DashboardSettings.From(shipped));
        Assert.Equal(DashboardSettings.Default, DashboardSettings.From(ConfigurationFactory.Empty));
    }

    [Fact]
    public void Values_that_cannot_work_are_refused_in_one_line()
    {
        var set = DashboardSettings.From(ConfigurationFactory.ParseString("swarm.dashboard { enabled = off, refresh-interval = 250ms, piece-buckets = 40 }"));
        Assert.Equal((false, TimeSpan.FromMilliseconds(250), 40), (set.Enabled, set.RefreshInterval, set.PieceBuckets));
        foreach (var bad in new[] { "refresh-interval = 0s", "keep-alive = 0s", "piece-buckets = 0", "piece-buckets = 5000", "max-piece-strips = -1" })
        {
            var e = Assert.Throws<ArgumentException>(() => DashboardSettings.From(ConfigurationFactory.ParseString($"swarm.dashboard.{bad}")));
            Assert.DoesNotContain('\n', e.Message);
        }
    }
}
