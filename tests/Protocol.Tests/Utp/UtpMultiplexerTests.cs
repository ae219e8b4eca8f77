using System.Net;
using Swarm.Protocol.Utp;
using Xunit;

namespace Swarm.Protocol.Tests.Utp;

/// <summary>Admission and routing of one UDP socket's uTP connections, facing hostile senders.</summary>
public sealed class UtpMultiplexerTests
{
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("10.0.0.9"), 5000);

    [Fact]
    public void Syn_when_not_accepting_draws_a_reset_no_larger_than_the_syn()
    {
        var mux = new UtpMultiplexer(UtpOptions.Default, new UtpLimits(AcceptIncoming: false), new Random(1));
        var syn = Syn(77).Encode();

        mux.Receive(syn, Peer, 0);

        var (bytes, to) = Assert.Single(mux.TakeOutgoing());
        var reset = UtpPacket.TryDecode(bytes)!;
        Assert.Equal((UtpType.Reset, (ushort)77), (reset.Type, reset.ConnectionId));
        Assert.True(bytes.Length <= syn.Length);
        Assert.Equal(Peer, to);
        Assert.Equal(0, mux.Count);
    }

    [Fact]
    public void Packets_for_unknown_or_closed_connections_draw_a_reset_and_resets_draw_nothing()
    {
        var mux = new UtpMultiplexer(UtpOptions.Default, new UtpLimits(), new Random(1));
        var data = new UtpPacket(UtpType.Data, 1234, 0, 0, 1000, 5, 6, null, new byte[] { 1, 2, 3 });

        mux.Receive(data.Encode(), Peer, 0);
        mux.Receive((data with { Type = UtpType.Reset, Payload = default }).Encode(), Peer, 0);

        var reset = UtpPacket.TryDecode(Assert.Single(mux.TakeOutgoing()).Bytes)!;
        Assert.Equal((UtpType.Reset, (ushort)1234, (ushort)5), (reset.Type, reset.ConnectionId, reset.AckNr));
    }

    [Fact]
    public void Syn_flood_holds_at_most_the_half_open_limit_and_each_answer_matches_its_syn()
    {
        var limits = new UtpLimits(MaxHalfOpen: 8);
        var mux = new UtpMultiplexer(UtpOptions.Default, limits, new Random(1));
        for (var i = 0; i < 1000; i++)
        {
            mux.Receive(Syn((ushort)(i * 2)).Encode(), new IPEndPoint(IPAddress.Parse("10.1.0.1"), 1000 + i), i);
        }

        var replies = mux.TakeOutgoing();
        Assert.Equal(8, mux.Count);
        Assert.Equal(8, mux.HalfOpen);
        Assert.Equal(8, replies.Count);
        Assert.All(replies, r => Assert.Equal(UtpPacket.HeaderSize, r.Bytes.Length));
        Assert.Equal(992, mux.SynsDropped);
        Assert.Equal(8, mux.TakeAccepted().Count);

        // Spoofed SYNs never speak again: their entries expire and free the slots.
        var finished = mux.Tick(UtpOptions.Default.HalfOpenTimeout + 1000);
        Assert.Equal(8, finished.Count);
        Assert.Equal(0, mux.Count);
        Assert.Equal(0, mux.HalfOpen);
        Assert.Empty(mux.TakeOutgoing());
    }

    [Fact]
    public void Resets_are_rate_limited()
    {
        var mux = new UtpMultiplexer(UtpOptions.Default, new UtpLimits(ResetsPerSecond: 5), new Random(1));
        for (var i = 0; i < 100; i++)
        {
            mux.Receive(new UtpPacket(UtpType.State, (ushort)i, 0, 0, 0, 1, 1, null, default).Encode(), Peer, 1000);
        }

        Assert.Equal(5, mux.TakeOutgoing().Count);
        mux.Receive(new UtpPacket(UtpType.State, 1, 0, 0, 0, 1, 1, null, default).Encode(), Peer, 1_100_000);
        Assert.Single(mux.TakeOutgoing());
    }

    [Fact]
    public void Garbage_is_counted_and_answered_with_nothing()
    {
        var mux = new UtpMultiplexer(UtpOptions.Default, new UtpLimits(), new Random(1));

        mux.Receive(new byte[] { 0x41, 0, 1 }, Peer, 0);
        mux.Receive(new byte[30], Peer, 0);

        Assert.Equal(2, mux.Malformed);
        Assert.Empty(mux.TakeOutgoing());
    }

    [Fact]
    public void A_resent_syn_reaches_its_half_open_connection_instead_of_opening_another()
    {
        var mux = new UtpMultiplexer(UtpOptions.Default, new UtpLimits(), new Random(1));

        mux.Receive(Syn(500).Encode(), Peer, 0);
        mux.Receive(Syn(500).Encode(), Peer, 1_000_000);
        mux.Flush(1_000_000);

        Assert.Equal(1, mux.Count);
        Assert.Equal(2, mux.TakeOutgoing().Count);
    }

    [Fact]
    public void Connections_from_two_peers_with_the_same_id_stay_apart()
    {
        var mux = new UtpMultiplexer(UtpOptions.Default, new UtpLimits(), new Random(1));
        var other = new IPEndPoint(IPAddress.Parse("10.0.0.10"), 5000);

        mux.Receive(Syn(500).Encode(), Peer, 0);
        mux.Receive(Syn(500).Encode(), other, 0);

        Assert.Equal(2, mux.Count);
        Assert.Equal(2, mux.TakeAccepted().Select(mux.RemoteOf).Distinct().Count());
    }

    private static UtpPacket Syn(ushort id) => new(UtpType.Syn, id, 0, 0, 1 << 20, 100, 0, null, default);
}
