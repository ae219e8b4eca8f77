using System.Net;
using Swarm.Protocol.Dht;
using Xunit;

namespace Swarm.Protocol.Tests.Dht;

public sealed class DhtRulesTests
{
    private static readonly NodeId Self = new(new byte[20]);

    [Theory]
    // BEP 42's own examples: address, r, the id's first three bytes (of which 21 bits count).
    [InlineData("124.31.75.21", 1, 0x5f, 0xbf, 0xbf)]
    [InlineData("21.75.31.124", 86, 0x5a, 0x3c, 0xe9)]
    [InlineData("65.23.51.170", 22, 0xa5, 0xd4, 0x32)]
    [InlineData("84.124.73.14", 65, 0x1b, 0x03, 0x21)]
    [InlineData("43.213.53.83", 90, 0xe5, 0x6f, 0x6c)]
    public void Bep42_ids_match_the_specification_vectors(string ip, int r, int b0, int b1, int b2)
    {
        var address = IPAddress.Parse(ip);
        var id = Bep42.Derive(address, (byte)r, new byte[20]);
        Assert.Equal((byte)b0, id.Bytes[0]);
        Assert.Equal((byte)b1, id.Bytes[1]);
        Assert.Equal(b2 & 0xf8, id.Bytes[2] & 0xf8);
        Assert.Equal((byte)r, id.Bytes[19]);
        Assert.True(Bep42.IsValid(id, address));
        Assert.False(Bep42.IsValid(id, IPAddress.Parse("124.31.75.22")) && Bep42.IsValid(id, IPAddress.Parse("200.1.1.1")));
        Assert.False(Bep42.IsValid(NodeId.FromHex("0000000000000000000000000000000000000000"), address));
    }

    [Fact]
    public void Local_addresses_are_exempt_from_bep42()
    {
        Assert.True(Bep42.IsValid(NodeId.Random(), IPAddress.Loopback));
        Assert.True(Bep42.IsValid(NodeId.Random(), IPAddress.Parse("192.168.1.5")));
    }

    [Fact]
    public void Local_classes_are_allowed_only_when_a_bootstrap_node_has_one()
    {
        var loop = new IPEndPoint(IPAddress.Parse("127.0.0.5"), 7000);
        var lan = new IPEndPoint(IPAddress.Parse("192.168.1.5"), 7000);
        var pub = new IPEndPoint(IPAddress.Parse("8.8.8.8"), 7000);
        Assert.True(AddressRules.Public.Accepts(pub));
        Assert.False(AddressRules.Public.Accepts(loop));
        Assert.False(AddressRules.Public.Accepts(lan));

        var forLoopback = AddressRules.For([IPAddress.Loopback]);
        Assert.True(forLoopback.Accepts(loop));
        Assert.False(forLoopback.Accepts(lan));

        var forLan = AddressRules.For([IPAddress.Parse("10.1.2.3")]);
        Assert.True(forLan.Accepts(lan));
        Assert.False(forLan.Accepts(loop));

        foreach (var bogus in new[] { "0.0.0.0:80", "8.8.8.8:0", "224.0.0.1:80", "255.255.255.255:80" })
        {
            Assert.False(new AddressRules(true, true).Accepts(IPEndPoint.Parse(bogus)), bogus);
        }
    }

    [Fact]
    public void Tokens_are_bound_to_the_address_and_live_one_to_two_rotations()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var every = TimeSpan.FromMinutes(5);
        var a = IPAddress.Parse("1.2.3.4");
        var issuer = TokenIssuer.Create(now);
        var token = issuer.Issue(a);
        Assert.True(issuer.IsValid(a, token));
        Assert.False(issuer.IsValid(IPAddress.Parse("1.2.3.5"), token));
        Assert.False(issuer.IsValid(a, token.AsSpan(1)));

        Assert.Same(issuer, issuer.RotateIfDue(now + TimeSpan.FromMinutes(4), every));
        issuer = issuer.RotateIfDue(now + every, every);
        Assert.True(issuer.IsValid(a, token));
        issuer = issuer.RotateIfDue(now + every + every, every);
        Assert.False(issuer.IsValid(a, token));
    }

    [Fact]
    public void Rate_limit_allows_a_burst_then_the_steady_rate_per_address()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var limit = AddressRateLimit.Create(perSecond: 2, burst: 5, maxAddresses: 2);
        var a = IPAddress.Parse("1.1.1.1");
        var allowed = 0;
        for (var i = 0; i < 10; i++)
        {
            (limit, var ok) = limit.Take(a, now);
            allowed += ok ? 1 : 0;
        }

        Assert.Equal(5, allowed);
        (limit, var later) = limit.Take(a, now + TimeSpan.FromSeconds(1));
        Assert.True(later);
        (limit, _) = limit.Take(IPAddress.Parse("2.2.2.2"), now);
        (_, var third) = limit.Take(IPAddress.Parse("3.3.3.3"), now);
        Assert.False(third); // table of addresses full, none of them quiet
    }

    [Fact]
    public void The_peer_store_is_bounded_and_expires()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var store = PeerStore.Create(maxTorrents: 1, maxPeersPerTorrent: 2, expiry: TimeSpan.FromMinutes(30));
        var h1 = NodeId.Random();
        store = store.Add(h1, IPEndPoint.Parse("1.1.1.1:1"), now)
            .Add(h1, IPEndPoint.Parse("1.1.1.2:1"), now + TimeSpan.FromSeconds(1))
            .Add(h1, IPEndPoint.Parse("1.1.1.3:1"), now + TimeSpan.FromSeconds(2))
            .Add(NodeId.Random(), IPEndPoint.Parse("1.1.1.4:1"), now);
        Assert.Equal(1, store.TorrentCount);
        Assert.Equal(["1.1.1.2:1", "1.1.1.3:1"], store.Peers(h1, now, 10).Select(p => p.ToString()).Order());
        Assert.Empty(store.Expire(now + TimeSpan.FromMinutes(31)).Peers(h1, now + TimeSpan.FromMinutes(31), 10));
    }

    [Fact]
    public void A_lookup_asks_alpha_at_a_time_and_converges_on_the_k_closest()
    {
        var target = NodeId.FromHex("8000000000000000000000000000000000000000");
        var seeds = Enumerable.Range(1, 5).Select(i => Contact(i, (byte)i)).ToList();
        var lookup = Lookup.Start(target, seeds);
        (lookup, var ask) = lookup.Next();
        Assert.Equal(Lookup.Alpha, ask.Count);
        Assert.Empty(lookup.Next().Ask);

        // The first answers with a node very close to the target and a peer; it is asked next.
        var close = new DhtContact(NodeId.FromHex("8000000000000000000000000000000000000001"), IPEndPoint.Parse("10.9.9.9:1"));
        lookup = lookup.Answer(ask[0].EndPoint, [close], [IPEndPoint.Parse("5.5.5.5:5")], [1]);
        (lookup, var next) = lookup.Next();
        Assert.Equal(close, next[0]);
        Assert.Contains(IPEndPoint.Parse("5.5.5.5:5"), lookup.Peers);

        // Everyone else answers or fails: it converges.
        foreach (var c in ask.Skip(1).Concat(next))
        {
            lookup = lookup.Fail(c.EndPoint);
        }

        while (!lookup.IsDone)
        {
            (lookup, var more) = lookup.Next();
            foreach (var c in more)
            {
                lookup = lookup.Answer(c.EndPoint, [], [], [2]);
            }
        }

        Assert.Equal(0, lookup.InFlight);
        Assert.All(lookup.AnnounceTargets(), c => Assert.NotNull(c.Token));
        Assert.Contains(lookup.AnnounceTargets(), c => c.Contact.EndPoint.Equals(ask[0].EndPoint));
    }

    [Fact]
    public void A_lookup_takes_at_most_k_nodes_per_answer_and_ignores_unasked_answers()
    {
        var target = NodeId.Random();
        var lookup = Lookup.Start(target, [Contact(1, 1)]);
        (lookup, var ask) = lookup.Next();
        var flood = Enumerable.Range(10, 100).Select(i => Contact(i, (byte)i)).ToList();
        Assert.Same(lookup, lookup.Answer(IPEndPoint.Parse("6.6.6.6:6"), flood, [], null));
        lookup = lookup.Answer(ask[0].EndPoint, flood, [], null);
        Assert.Equal(1 + RoutingTable.K, lookup.Candidates.Count);
    }

    private static DhtContact Contact(int host, byte idByte)
    {
        var id = new byte[20];
        id[0] = idByte;
        id[19] = (byte)host;
        return new DhtContact(new NodeId(id), new IPEndPoint(IPAddress.Parse($"10.0.{host / 250}.{(host % 250) + 1}"), 6881));
    }
}
