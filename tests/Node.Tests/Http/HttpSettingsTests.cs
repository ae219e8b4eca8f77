using Akka.Configuration;
using Swarm.Node.Http;
using Xunit;

namespace Swarm.Node.Tests.Http;

/// <summary>swarm.rpc and swarm.watch, and the rule that binding beyond loopback needs credentials.</summary>
public sealed class HttpSettingsTests
{
    [Fact]
    public void Defaults_are_transmissions_port_on_loopback_without_credentials()
    {
        var rpc = RpcSettings.From(ConfigurationFactory.Empty);
        Assert.Equal(9091, rpc.Port);
        Assert.Equal("127.0.0.1", rpc.BindAddress);
        Assert.Equal(System.Net.IPAddress.Loopback, rpc.CheckedBindAddress());
        Assert.Equal(string.Empty, WatchSettings.From(ConfigurationFactory.Empty).Dir);
    }

    [Fact]
    public void Beyond_loopback_without_credentials_is_refused_in_one_line()
    {
        var open = RpcSettings.From(ConfigurationFactory.ParseString("swarm.rpc.bind-address = \"0.0.0.0\""));
        var e = Assert.Throws<ArgumentException>(open.CheckedBindAddress);
        Assert.Contains("without credentials", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);

        var closed = RpcSettings.From(ConfigurationFactory.ParseString("swarm.rpc { bind-address = \"0.0.0.0\", username = u, password = p, allowed-hosts = [nas.lan] }"));
        Assert.Equal(System.Net.IPAddress.Any, closed.CheckedBindAddress());
        Assert.Equal(["nas.lan"], closed.AllowedHosts);

        Assert.Throws<ArgumentException>(() => RpcSettings.From(ConfigurationFactory.ParseString("swarm.rpc { username = u }")).CheckedBindAddress());
        Assert.Throws<ArgumentException>(() => RpcSettings.From(ConfigurationFactory.ParseString("swarm.rpc.bind-address = nowhere")).CheckedBindAddress());
    }
}
