using System.Net;
using Akka.Configuration;
using Swarm.Node.Hosting;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

/// <summary>Which scheme HOST:PORT becomes, when a cluster port opens at all, and when it may not open in clear.</summary>
public sealed class RemotingConfigTests
{
    [Fact]
    public void A_seed_given_as_host_and_port_takes_the_scheme_this_node_speaks()
    {
        Assert.Equal("akka.tcp://swarm@10.0.0.1:4060", RemotingConfig.SeedAddress("swarm", "10.0.0.1:4060", tls: false));
        Assert.Equal("akka.ssl.tcp://swarm@10.0.0.1:4060", RemotingConfig.SeedAddress("swarm", "10.0.0.1:4060", tls: true));
        Assert.Equal("akka.ssl.tcp://swarm@10.0.0.1:4060", RemotingConfig.SeedAddress("swarm", "akka.tcp://swarm@10.0.0.1:4060", tls: true));
        Assert.Equal("akka.tcp://swarm@10.0.0.1:4060", RemotingConfig.SeedAddress("swarm", "akka.ssl.tcp://swarm@10.0.0.1:4060", tls: false));
        Assert.Contains("is not HOST:PORT", Assert.Throws<ArgumentException>(() => RemotingConfig.SeedAddress("swarm", "nowhere", tls: true)).Message, StringComparison.Ordinal);
        Assert.Contains("speaks akka.tcp, not akka.udp", Assert.Throws<ArgumentException>(() => RemotingConfig.SeedAddress("swarm", "akka.udp://swarm@h:1", tls: false)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cluster_address_beyond_loopback_needs_tls_or_the_operators_word()
    {
        var beyond = IPAddress.Parse("10.77.0.2");
        var e = Assert.Throws<ArgumentException>(() => RemotingConfig.EnsureClusterSecured(beyond, tls: false, insecure: false));
        Assert.Contains("beyond loopback without TLS", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
        RemotingConfig.EnsureClusterSecured(beyond, tls: true, insecure: false);
        RemotingConfig.EnsureClusterSecured(beyond, tls: false, insecure: true);
        RemotingConfig.EnsureClusterSecured(IPAddress.Loopback, tls: false, insecure: false);
        Assert.Throws<ArgumentException>(() => RemotingConfig.EnsureClusterSecured(IPAddress.Any, tls: false, insecure: false));
    }

    [Fact]
    public void A_lone_node_on_loopback_opens_no_cluster_port_until_clustering_is_asked_for()
    {
        var defaults = SwarmConfiguration.Load(null, new Dictionary<string, string>());
        Assert.False(defaults.GetBoolean("swarm.cluster.insecure"));
        Assert.Equal(string.Empty, defaults.GetString("swarm.tls.certificate"));
        Assert.False(RemotingConfig.ClusterRequested(defaults, clusterPortGiven: false, tls: false));
        Assert.True(RemotingConfig.ClusterRequested(defaults, clusterPortGiven: true, tls: false));
        Assert.True(RemotingConfig.ClusterRequested(defaults, clusterPortGiven: false, tls: true));
        Assert.True(RemotingConfig.ClusterRequested(With(defaults, "swarm.cluster.seed-nodes = [\"127.0.0.1:4060\"]"), clusterPortGiven: false, tls: false));
        Assert.True(RemotingConfig.ClusterRequested(With(defaults, "swarm.cluster.hostname = \"10.77.0.2\""), clusterPortGiven: false, tls: false));
    }

    private static Config With(Config config, string hocon) => ConfigurationFactory.ParseString(hocon).WithFallback(config);
}
