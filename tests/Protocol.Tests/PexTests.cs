using System.Net;
using Swarm.Protocol.PeerWire;
using Swarm.Protocol.Pex;
using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>BEP 11 ut_pex: the codec (and what a hostile peer sends), the diffs we send, and what we take in.</summary>
public sealed class PexTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly PexIntakeLimits Limits = new(TimeSpan.FromSeconds(20), 100);

    private static IPEndPoint Ep(string s) => IPEndPoint.Parse(s);

    private static PexPeer P(string s, PexFlags f = PexFlags.None) => new(Ep(s), f);

    [Fact]
    public void Our_extension_handshake_offers_ut_pex_only_when_asked()
    {
        var on = ExtensionHandshake.Decode(ExtensionHandshake.Ours(metadata: true, 6881, 100, 250, pex: true).Encode());
        Assert.Equal(ExtensionHandshake.OurPexId, on.Extensions[PexMessage.ExtensionName]);
        Assert.Equal(ExtensionHandshake.OurMetadataId, on.Extensions[MetadataMessage.ExtensionName]);
        var off = ExtensionHandshake.Decode(ExtensionHandshake.Ours(metadata: false, 6881, null, 250).Encode());
        Assert.False(off.Extensions.ContainsKey(PexMessage.ExtensionName));
    }

    [Fact]
    public void A_message_round_trips_with_both_families_and_flags()
    {
        var m = new PexMessage(
            [P("10.0.0.1:6881", PexFlags.Reachable | PexFlags.Seed), P("[2001:db8::1]:51413", PexFlags.Utp), P("10.0.0.2:1")],
            [Ep("10.0.0.3:6881"), Ep("[2001:db8::2]:80")]);
        var back = PexMessage.Decode(m.Encode(), 50, 50);
        Assert.Equal(
            [P("10.0.0.1:6881", PexFlags.Reachable | PexFlags.Seed), P("10.0.0.2:1"), P("[2001:db8::1]:51413", PexFlags.Utp)],
            back.Added);
        Assert.Equal([Ep("10.0.0.3:6881"), Ep("[2001:db8::2]:80")], back.Dropped);
    }

    [Fact]
    public void The_wire_form_is_BEP_11s_compact_strings()
    {
        byte[] v4 = [1, 2, 3, 4, 1, 2];
        byte[] dropped = [5, 6, 7, 8, 0, 1];
        byte[] expected = [.. "d5:added6:"u8, .. v4, .. "7:added.f1:"u8, 0x10, .. "6:added60:8:added6.f0:7:dropped6:"u8, .. dropped, .. "8:dropped60:e"u8];
        Assert.Equal(expected, new PexMessage([P("1.2.3.4:258", PexFlags.Reachable)], [Ep("5.6.7.8:1")]).Encode());
        var decoded = PexMessage.Decode([.. "d5:added6:"u8, .. v4, .. "7:dropped6:"u8, .. dropped, (byte)'e'], 50, 50);
        Assert.Equal([P("1.2.3.4:258")], decoded.Added); // no added.f: flags default to none
        Assert.Equal([Ep("5.6.7.8:1")], decoded.Dropped);
    }

    [Fact]
    public void A_flood_keeps_only_the_first_entries_of_each_list()
    {
        var many = Enumerable.Range(0, 1000).Select(i => P($"10.{i / 250}.{i % 250}.1:6881")).ToList();
        var m = PexMessage.Decode(new PexMessage(many, many.Select(p => p.EndPoint).ToList()).Encode(), 50, 50);
        Assert.Equal(50, m.Added.Count);
        Assert.Equal(50, m.Dropped.Count);
        Assert.Equal(many[..50], m.Added);
    }

    [Fact]
    public void Port_zero_and_partial_entries_are_skipped_and_short_flags_mean_none()
    {
        // two entries (the second with port 0), then 3 stray bytes; a single flag byte for two peers
        var compact = new byte[] { 1, 1, 1, 1, 0, 80, 2, 2, 2, 2, 0, 0, 9, 9, 9 };
        var payload = Bencode.BencodeWriter.Encode(Bencode.BDictionary.From(("added", new Bencode.BString(compact)), ("added.f", new Bencode.BString([0x02]))));
        Assert.Equal([P("1.1.1.1:80", PexFlags.Seed)], PexMessage.Decode(payload, 50, 50).Added);
    }

    [Theory]
    [InlineData("")]
    [InlineData("i42e")]
    [InlineData("l5:addede")]
    [InlineData("d5:added")]
    [InlineData("d5:addedd1:xli1eeee")] // nested deeper than the two levels a ut_pex message has
    public void Malformed_messages_are_protocol_violations(string payload)
    {
        Assert.Throws<PeerProtocolException>(() => PexMessage.Decode(System.Text.Encoding.Latin1.GetBytes(payload), 50, 50));
    }

    [Fact]
    public void Oversized_strings_and_token_floods_are_refused_before_they_cost_memory()
    {
        var huge = Bencode.BencodeWriter.Encode(Bencode.BDictionary.From(("added", new Bencode.BString(new byte[6 * 20_000]))));
        Assert.Throws<PeerProtocolException>(() => PexMessage.Decode(huge, 50, 50));
        var keys = string.Concat(Enumerable.Range(0, 100).Select(i => $"3:k{i:00}i1e"));
        Assert.Throws<PeerProtocolException>(() => PexMessage.Decode(System.Text.Encoding.Latin1.GetBytes($"d{keys}e"), 50, 50));
    }

    [Fact]
    public void State_sends_the_first_diff_at_once_then_waits_the_interval()
    {
        var (s, m) = PexState.Empty.Update([P("10.0.0.1:1"), P("10.0.0.2:2", PexFlags.Seed)], T0, Minute, 50, 50);
        Assert.Equal([P("10.0.0.1:1"), P("10.0.0.2:2", PexFlags.Seed)], m!.Added.OrderBy(p => p.EndPoint.Port));
        Assert.Empty(m.Dropped);

        var (same, none) = s.Update([P("10.0.0.3:3")], T0 + TimeSpan.FromSeconds(59), Minute, 50, 50);
        Assert.Null(none);
        Assert.Same(s, same);

        var (s2, m2) = s.Update([P("10.0.0.2:2", PexFlags.Seed), P("10.0.0.3:3")], T0 + Minute, Minute, 50, 50);
        Assert.Equal([P("10.0.0.3:3")], m2!.Added);
        Assert.Equal([Ep("10.0.0.1:1")], m2.Dropped);
        Assert.Equal(2, s2.Told.Count);
    }

    [Fact]
    public void State_says_nothing_when_nothing_changed()
    {
        var (s, _) = PexState.Empty.Update([P("10.0.0.1:1")], T0, Minute, 50, 50);
        var (s2, m) = s.Update([P("10.0.0.1:1")], T0 + (2 * Minute), Minute, 50, 50);
        Assert.Null(m);
        Assert.Equal(T0, s2.LastSent);
    }

    [Fact]
    public void State_bounds_each_message_and_sends_the_rest_later()
    {
        var many = Enumerable.Range(1, 120).Select(i => P($"10.0.1.{i}:6881")).ToList();
        var (s, m) = PexState.Empty.Update(many, T0, Minute, 50, 50);
        Assert.Equal(50, m!.Added.Count);
        (s, m) = s.Update(many, T0 + Minute, Minute, 50, 50);
        Assert.Equal(50, m!.Added.Count);
        (s, m) = s.Update(many[..10], T0 + (2 * Minute), Minute, 50, 50);
        Assert.Empty(m!.Added); // the 20 never told are gone before their turn: nothing to add
        Assert.Equal(50, m.Dropped.Count);
        Assert.Equal(50, s.Told.Count);
        var all = new HashSet<IPEndPoint>(many.Select(p => p.EndPoint));
        Assert.All(s.Told.Keys, k => Assert.Contains(k, all));
    }

    [Fact]
    public void Intake_caps_a_connection_and_ignores_messages_that_come_too_soon()
    {
        var m = new PexMessage(Enumerable.Range(1, 50).Select(i => P($"10.0.2.{i}:6881")).ToList(), []);
        var sender = IPAddress.Parse("192.0.2.9");
        var (i1, first) = PexIntake.Empty.Take(m, sender, weAreSeed: false, T0, Limits);
        Assert.Equal(50, first.Count);

        var (i2, soon) = i1.Take(m, sender, false, T0 + TimeSpan.FromSeconds(5), Limits);
        Assert.Empty(soon);
        Assert.Equal(1, i2.Ignored);

        var (i3, second) = i2.Take(m, sender, false, T0 + TimeSpan.FromSeconds(25), Limits);
        Assert.Equal(50, second.Count);
        var (i4, third) = i3.Take(m, sender, false, T0 + TimeSpan.FromSeconds(50), Limits);
        Assert.Empty(third); // 100 per connection
        Assert.Equal(100, i4.Learnt);
    }

    [Fact]
    public void Intake_refuses_what_cannot_be_a_peer_and_seeds_when_seeding_and_prefers_reachable_peers()
    {
        var m = new PexMessage(
            [P("0.0.0.0:1"), P("224.0.0.1:1"), P("255.255.255.255:1"), P("127.0.0.1:1"), P("[ff02::1]:1"),
             P("10.0.0.1:1", PexFlags.Seed), P("10.0.0.2:2"), P("10.0.0.3:3", PexFlags.Reachable), P("[::ffff:10.0.0.4]:4")],
            []);
        var (_, remote) = PexIntake.Empty.Take(m, IPAddress.Parse("192.0.2.9"), weAreSeed: true, T0, Limits);
        Assert.Equal([Ep("10.0.0.3:3"), Ep("10.0.0.2:2"), Ep("10.0.0.4:4")], remote);

        var (_, local) = PexIntake.Empty.Take(new PexMessage([P("127.0.0.1:1")], []), IPAddress.Loopback, false, T0, Limits);
        Assert.Equal([Ep("127.0.0.1:1")], local);
    }
}
