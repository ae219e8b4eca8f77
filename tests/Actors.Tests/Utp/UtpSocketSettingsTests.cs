using Akka.Configuration;
using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Xunit;

namespace Swarm.Actors.Tests.Utp;

/// <summary>The uTP socket tunables (issue 16, speed) as hocon/swarm.conf gives them, and the values refused with one
/// clear error instead of a socket that silently reads one datagram at a time.</summary>
public sealed class UtpSocketSettingsTests
{
    [Fact]
    public void The_defaults_come_from_swarm_conf()
    {
        var utp = TestNodes.Settings.Utp;
        Assert.Equal((2 * 1024 * 1024, 2 * 1024 * 1024, 64), (utp.SocketReceiveBuffer, utp.SocketSendBuffer, utp.ReceiveBatch));
    }

    [Fact]
    public void Zero_keeps_the_system_socket_buffers()
    {
        var utp = Parse("swarm.utp { socket-receive-buffer = 0, socket-send-buffer = 0, receive-batch = 1 }").Utp;
        Assert.Equal((0, 0, 1), (utp.SocketReceiveBuffer, utp.SocketSendBuffer, utp.ReceiveBatch));
    }

    [Theory]
    [InlineData("swarm.utp.receive-batch = 0")]
    [InlineData("swarm.utp.socket-receive-buffer = 4GiB")]
    public void A_value_that_cannot_work_is_refused(string hocon)
    {
        var e = Assert.Throws<ConfigurationException>(() => Parse(hocon));
        Assert.Contains("swarm.utp", e.Message, StringComparison.Ordinal);
    }

    private static SwarmSettings Parse(string hocon) => SwarmSettings.From(ConfigurationFactory.ParseString(hocon).WithFallback(TestNodes.Config));
}
