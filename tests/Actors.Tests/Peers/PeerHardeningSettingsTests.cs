using Akka.Configuration;
using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class PeerHardeningSettingsTests
{
    [Fact]
    public void The_shipped_defaults_are_read_from_swarm_conf()
    {
        var h = TestNodes.Settings.PeerHardening;
        Assert.Equal(4L << 20, h.MaxSendQueue);
        Assert.Equal(32L << 20, h.SendBudget);
        Assert.Equal(256L << 10, h.SendQueueGuaranteed);
        Assert.Equal(32L << 20, h.MaxQueuedUploadBytes);
        Assert.Equal(2, h.MetadataFetchesPerWindow);
        Assert.Equal(TimeSpan.FromSeconds(60), h.MetadataFetchWindow);
        Assert.Equal(4000, h.RejectBurst);
        Assert.Equal(100, h.RejectsPerSecond);
        Assert.Equal(128, h.MaxIncomingHandshakes);
        Assert.Equal(8, h.MaxIncomingHandshakesPerAddress);
    }

    [Fact]
    public void A_zero_bound_is_refused_with_the_block_named()
    {
        var config = ConfigurationFactory.ParseString("swarm.peer-hardening.max-incoming-handshakes = 0").WithFallback(TestNodes.Config);
        var e = Assert.Throws<ConfigurationException>(() => SwarmSettings.From(config));
        Assert.Contains("peer-hardening", e.Message);
    }
}
