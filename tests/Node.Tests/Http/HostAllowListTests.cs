using System.Net;
using Swarm.Node.Http;
using Xunit;

namespace Swarm.Node.Tests.Http;

/// <summary>Which Host headers the HTTP surface answers (DNS rebinding defence).</summary>
public sealed class HostAllowListTests
{
    [Theory]
    [InlineData("127.0.0.1:9091")]
    [InlineData("localhost")]
    [InlineData("LOCALHOST:9091")]
    [InlineData("localhost.:80")]
    [InlineData("[::1]:9091")]
    [InlineData("[::1]")]
    [InlineData("swarm.lan:9091")]
    public void Loopback_names_and_configured_names_are_answered(string host) =>
        Assert.True(new HostAllowList(IPAddress.Loopback, ["Swarm.LAN"]).Allows(host));

    [Theory]
    [InlineData("rebind.example")]
    [InlineData("rebind.example:9091")]
    [InlineData("localhost.rebind.example")]
    [InlineData("10.0.0.5:9091")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("::1")]
    [InlineData("localhost:notaport")]
    [InlineData("[::1")]
    [InlineData("[::1]x")]
    public void Other_names_missing_or_malformed_hosts_are_refused(string? host) =>
        Assert.False(new HostAllowList(IPAddress.Loopback, ["swarm.lan"]).Allows(host));

    [Fact]
    public void The_bind_address_is_answered_and_a_wildcard_bind_accepts_ip_literals_but_not_names()
    {
        var bound = new HostAllowList(IPAddress.Parse("192.168.1.20"), []);
        Assert.True(bound.Allows("192.168.1.20:9091"));
        Assert.False(bound.Allows("192.168.1.21:9091"));

        var any = new HostAllowList(IPAddress.Any, []);
        Assert.True(any.Allows("192.168.1.21:9091"));
        Assert.True(any.Allows("[fe80::1]:9091"));
        Assert.False(any.Allows("nas.example:9091"));
    }

    [Theory]
    [InlineData("Example.COM:80", "example.com")]
    [InlineData("[FE80::1]:9091", "fe80::1")]
    [InlineData("host.", "host")]
    public void The_host_part_is_normalized(string header, string host) =>
        Assert.Equal(host, HostAllowList.HostOf(header));
}
