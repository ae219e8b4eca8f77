using System.Net;
using System.Text;
using Swarm.Protocol.Dht;
using Xunit;

namespace Swarm.Protocol.Tests.Dht;

public sealed class KrpcTests
{
    private static readonly NodeId A = NodeId.FromHex("0123456789abcdef0123456789abcdef01234567");
    private static readonly NodeId B = NodeId.FromHex("ffeeddccbbaa99887766554433221100ffeeddcc");
    private static readonly byte[] T = [0xaa, 0x01];

    private static T2 RoundTrip<T2>(KrpcMessage m) where T2 : KrpcMessage => Assert.IsType<T2>(Krpc.Decode(Krpc.Encode(m)));

    [Fact]
    public void Queries_round_trip_with_their_arguments()
    {
        var ping = RoundTrip<KrpcQuery>(new KrpcQuery(T, "ping", A));
        Assert.Equal("ping", ping.Method);
        Assert.Equal(A, ping.Sender);
        Assert.Equal(T, ping.TransactionId);

        var find = RoundTrip<KrpcQuery>(new KrpcQuery(T, "find_node", A, Target: B));
        Assert.Equal(B, find.Target);

        var get = RoundTrip<KrpcQuery>(new KrpcQuery(T, "get_peers", A, InfoHash: B));
        Assert.Equal(B, get.InfoHash);

        var announce = RoundTrip<KrpcQuery>(new KrpcQuery(T, "announce_peer", A, InfoHash: B, Token: [1, 2, 3], Port: 6881, ImpliedPort: true));
        Assert.Equal([1, 2, 3], announce.Token);
        Assert.Equal(6881, announce.Port);
        Assert.True(announce.ImpliedPort);
    }

    [Fact]
    public void A_response_carries_nodes_of_both_families_peers_token_and_the_requester_address()
    {
        var nodes = new[]
        {
            new DhtContact(B, new IPEndPoint(IPAddress.Parse("1.2.3.4"), 6881)),
            new DhtContact(A, new IPEndPoint(IPAddress.Parse("2001:db8::1"), 51413)),
        };
        var values = new[] { new IPEndPoint(IPAddress.Parse("5.6.7.8"), 1234), new IPEndPoint(IPAddress.Parse("2001:db8::2"), 4321) };
        var r = RoundTrip<KrpcResponse>(new KrpcResponse(T, A, nodes, values, [9, 9], new IPEndPoint(IPAddress.Parse("9.8.7.6"), 999)));
        Assert.Equal(A, r.Sender);
        Assert.Equal(nodes, r.Nodes);
        Assert.Equal(values, r.Values);
        Assert.Equal([9, 9], r.Token);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("9.8.7.6"), 999), r.YourAddress);
    }

    [Fact]
    public void Errors_round_trip()
    {
        var e = RoundTrip<KrpcError>(new KrpcError(T, 203, "Protocol Error"));
        Assert.Equal(203, e.Code);
        Assert.Equal("Protocol Error", e.Message);
    }

    [Fact]
    public void Decodes_a_query_as_libtorrent_sends_it()
    {
        var raw = "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe";
        var q = Assert.IsType<KrpcQuery>(Krpc.Decode(Encoding.ASCII.GetBytes(raw)));
        Assert.Equal("find_node", q.Method);
        Assert.Equal("abcdefghij0123456789", Encoding.ASCII.GetString(q.Sender.Bytes));
        Assert.Equal("mnopqrstuvwxyz123456", Encoding.ASCII.GetString(q.Target!.Value.Bytes));
    }

    [Theory]
    [InlineData("")]
    [InlineData("le")]
    [InlineData("i42e")]
    [InlineData("d1:y1:qe")] // no transaction id
    [InlineData("d1:t0:1:y1:qe")] // empty transaction id
    [InlineData("d1:t17:aaaaaaaaaaaaaaaaa1:y1:qe")] // transaction id too long
    [InlineData("d1:t2:aa1:y1:xe")] // unknown type
    [InlineData("d1:t2:aa1:y1:qe")] // query without method or arguments
    [InlineData("d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe")] // short id
    [InlineData("d1:rd2:id20:abcdefghij01234567895:nodes5:abcdee1:t2:aa1:y1:re")] // nodes not a multiple of 26
    [InlineData("d1:eli201ee1:t2:aa1:y1:ee")] // error without message
    [InlineData("d1:q4:ping1:t2:aa1:y1:q1:ad2:id20:abcdefghij0123456789ee")] // unsorted keys
    [InlineData("d1:t2:aa1:y1:qe trailing")]
    public void Malformed_packets_are_refused(string raw) =>
        Assert.Throws<KrpcException>(() => Krpc.Decode(Encoding.ASCII.GetBytes(raw)));

    [Fact]
    public void Oversized_deep_or_flooding_packets_are_refused_before_decoding_all_of_them()
    {
        Assert.Throws<KrpcException>(() => Krpc.Decode(new byte[Krpc.MaxPacket + 1]));
        var deep = "d1:ad1:xlllllleeeeeee2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
        Assert.Throws<KrpcException>(() => Krpc.Decode(Encoding.ASCII.GetBytes(deep)));
        var many = "d1:rd2:id20:abcdefghij01234567896:valuesl" + string.Concat(Enumerable.Repeat("0:", Krpc.MaxValues + 1)) + "ee1:t2:aa1:y1:re";
        Assert.Throws<KrpcException>(() => Krpc.Decode(Encoding.ASCII.GetBytes(many)));
    }

    [Fact]
    public void Peers_of_odd_lengths_are_skipped_not_fatal()
    {
        var raw = "d1:rd2:id20:abcdefghij01234567896:valuesl3:abc6:\u0001\u0002\u0003\u0004\u0000\u0050ee1:t2:aa1:y1:re";
        var r = Assert.IsType<KrpcResponse>(Krpc.Decode(Encoding.Latin1.GetBytes(raw)));
        Assert.Equal([new IPEndPoint(IPAddress.Parse("1.2.3.4"), 80)], r.Values);
    }

    [Fact]
    public void The_table_file_keeps_id_nodes_and_allowed_classes()
    {
        var nodes = new[] { new DhtContact(B, new IPEndPoint(IPAddress.Loopback, 7000)) };
        var (self, back, rules) = TableFile.Decode(TableFile.Encode(A, nodes, new AddressRules(true, false)));
        Assert.Equal(A, self);
        Assert.Equal(nodes, back);
        Assert.Equal(new AddressRules(true, false), rules);
        Assert.ThrowsAny<FormatException>(() => TableFile.Decode(Encoding.ASCII.GetBytes("d2:id3:abce")));
    }
}
