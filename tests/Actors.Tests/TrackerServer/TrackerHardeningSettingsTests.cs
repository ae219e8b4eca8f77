using Akka.Configuration;
using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Xunit;

namespace Swarm.Actors.Tests.TrackerServer;

/// <summary>The tracker bounds as hocon/swarm.conf gives them, and the one combination refused: a per-address share
/// as large as the whole, which would let one address fill the tracker.</summary>
public sealed class TrackerHardeningSettingsTests
{
    [Fact]
    public void The_defaults_come_from_swarm_conf()
    {
        var client = TestNodes.Settings.Tracker;
        Assert.Equal((1024 * 1024, 5, 1000, false), (client.MaxResponseSize, client.MaxRedirects, client.MaxPeersPerReply, client.RefusePrivateAddresses));
        var server = TestNodes.Settings.TrackerServer;
        Assert.Equal((1000, 5000, 16), (server.MaxTorrentsPerAddress, server.MaxPeersPerAddress, server.MaxPeersPerAddressInTorrent));
        Assert.Equal((TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(300)), (server.ProbationInterval, server.ProbationExpiry));
        Assert.True(server.MaxTorrentsPerAddress < server.MaxTorrents && server.MaxPeersPerAddress < server.MaxPeers);
    }

    [Theory]
    [InlineData("swarm.tracker-server { max-torrents = 100, max-torrents-per-address = 100 }")]
    [InlineData("swarm.tracker-server { max-peers = 10, max-peers-per-address = 20 }")]
    public void A_share_that_lets_one_address_fill_the_tracker_is_refused(string hocon)
    {
        var e = Assert.Throws<ConfigurationException>(() => SwarmSettings.From(ConfigurationFactory.ParseString(hocon).WithFallback(TestNodes.Config)));
        Assert.Contains("per-address", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Refusing_private_tracker_addresses_is_one_switch()
    {
        var on = SwarmSettings.From(ConfigurationFactory.ParseString("swarm.tracker.refuse-private-addresses = on").WithFallback(TestNodes.Config));
        Assert.True(on.Tracker.RefusePrivateAddresses);
    }
}
