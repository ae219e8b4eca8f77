using System.Net;
using Swarm.Actors.TrackerServer;
using Xunit;

namespace Swarm.Actors.Tests.TrackerServer;

public sealed class UdpConnectionIdsTests
{
    private static readonly DateTimeOffset Minute = new(2026, 1, 1, 12, 30, 0, TimeSpan.Zero);
    private static readonly IPEndPoint Peer = IPEndPoint.Parse("10.0.0.1:6881");

    [Fact]
    public void An_id_is_accepted_during_its_minute_and_the_next_only()
    {
        var ids = new UdpConnectionIds(new byte[16]);
        var id = ids.Issue(Peer, Minute.AddSeconds(59));
        Assert.True(ids.Accepts(id, Peer, Minute));
        Assert.True(ids.Accepts(id, Peer, Minute.AddSeconds(119)));
        Assert.False(ids.Accepts(id, Peer, Minute.AddSeconds(120)));
        Assert.False(ids.Accepts(id, Peer, Minute.AddSeconds(-1)));
    }

    [Fact]
    public void An_id_is_bound_to_the_address_port_and_key()
    {
        var ids = new UdpConnectionIds(new byte[16]);
        var id = ids.Issue(Peer, Minute);
        Assert.False(ids.Accepts(id, IPEndPoint.Parse("10.0.0.2:6881"), Minute));
        Assert.False(ids.Accepts(id, IPEndPoint.Parse("10.0.0.1:6882"), Minute));
        Assert.False(new UdpConnectionIds(Enumerable.Repeat((byte)1, 16).ToArray()).Accepts(id, Peer, Minute));
        Assert.Equal(id, ids.Issue(Peer, Minute.AddSeconds(30))); // no table: the same minute gives the same id
    }
}
