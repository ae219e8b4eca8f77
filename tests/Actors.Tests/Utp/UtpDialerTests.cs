using System.Net;
using Akka.Actor;
using Swarm.Actors.Configuration;
using Swarm.Actors.Peers;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Utp;
using Xunit;

namespace Swarm.Actors.Tests.Utp;

/// <summary>The dial order (try both transports, keep what works) and the uTP settings as the hocon gives them.</summary>
public sealed class UtpDialerTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Loopback, 6881);

    [Fact]
    public void Tcp_goes_first_until_a_peer_was_reached_over_utp()
    {
        var dialer = new UtpDialer(ActorRefs.Nobody);
        Assert.Equal([PeerTransport.Tcp, PeerTransport.Utp], dialer.Order(Peer));

        dialer.Remember(Peer, PeerTransport.Utp);
        Assert.Equal([PeerTransport.Utp, PeerTransport.Tcp], dialer.Order(Peer));
        Assert.Equal([PeerTransport.Tcp, PeerTransport.Utp], dialer.Order(new IPEndPoint(IPAddress.Loopback, 6882)));

        dialer.Remember(Peer, PeerTransport.Tcp);
        Assert.Equal([PeerTransport.Tcp, PeerTransport.Utp], dialer.Order(Peer));
    }

    [Fact]
    public void Dial_first_utp_reverses_the_order_for_unknown_peers()
    {
        var dialer = new UtpDialer(ActorRefs.Nobody, utpFirst: true);
        Assert.Equal([PeerTransport.Utp, PeerTransport.Tcp], dialer.Order(Peer));
        dialer.Remember(Peer, PeerTransport.Tcp);
        Assert.Equal([PeerTransport.Tcp, PeerTransport.Utp], dialer.Order(Peer));
    }

    [Fact]
    public void Without_utp_the_peer_dialer_uses_tcp_only()
    {
        Assert.Equal([PeerTransport.Tcp], new PeerDialer(null).TransportsFor(Peer));
    }

    [Fact]
    public void The_shipped_hocon_turns_utp_on_with_its_limits_ready()
    {
        var settings = SwarmSettings.From(TestNodes.Config);

        Assert.True(settings.Utp.Enabled); // issue 16: on by default
        Assert.False(settings.Utp.DialUtpFirst);
        Assert.Equal(1400, settings.Utp.Connection.MaxPayload);
        Assert.Equal(100_000, settings.Utp.Connection.TargetDelay);
        Assert.Equal(500_000, settings.Utp.Connection.MinTimeout);
        Assert.Equal(32, settings.Utp.Limits.MaxHalfOpen);
    }
}
