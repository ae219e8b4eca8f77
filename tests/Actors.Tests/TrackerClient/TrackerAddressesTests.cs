using System.Net;
using Swarm.Actors.TrackerClient;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Actors.Tests.TrackerClient;

/// <summary>Which tracker addresses count as local (refused with refuse-private-addresses) and which are public.</summary>
public sealed class TrackerAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.9")]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")] // cloud metadata services live here
    [InlineData("100.64.0.1")]
    [InlineData("224.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("::1")]
    [InlineData("::")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Local_addresses(string address) => Assert.True(TrackerAddresses.IsLocal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("192.0.2.7")]
    [InlineData("2001:db8::1")]
    [InlineData("2a00:1450::1")]
    [InlineData("::ffff:8.8.8.8")]
    public void Public_addresses(string address) => Assert.False(TrackerAddresses.IsLocal(IPAddress.Parse(address)));

    [Fact]
    public void Off_every_address_is_allowed_and_on_only_public_ones_or_a_clear_error()
    {
        IPAddress[] mixed = [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("192.0.2.7")];
        Assert.Equal(mixed, TrackerAddresses.Allowed("t.example", mixed, refuseLocal: false));
        Assert.Equal([IPAddress.Parse("192.0.2.7")], TrackerAddresses.Allowed("t.example", mixed, refuseLocal: true));

        var refused = Assert.Throws<TrackerException>(() => TrackerAddresses.Allowed("router.lan", [IPAddress.Parse("192.168.1.1")], refuseLocal: true));
        Assert.Contains("router.lan", refused.Message, StringComparison.Ordinal);
        Assert.Contains("refuse-private-addresses", refused.Message, StringComparison.Ordinal);
    }
}
