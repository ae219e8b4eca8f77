using System.Net;
using CsCheck;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>The tracker's side of the codecs: what our own client sends parses back exactly, answers parse in our
/// client, and hostile requests are refused with a reason.</summary>
public sealed class TrackerServerCodecTests
{
    private static readonly Gen<byte[]> Bytes20 = Gen.Byte.Array[20];

    [Fact]
    public void Any_announce_our_client_builds_parses_back_on_the_server()
    {
        Gen.Select(Bytes20, Bytes20, Gen.Int[1, 65535], Gen.Long[0, long.MaxValue / 4], Gen.Int[0, 3]).Sample((hash, peer, port, left, ev) =>
        {
            var request = new AnnounceRequest(new InfoHash(hash), peer, port, 5, 7, left, (AnnounceEvent)ev, 80);
            var uri = HttpTrackerCodec.BuildAnnounceUri("http://t.example/announce", request);
            var parsed = HttpTrackerServerCodec.ParseAnnounce(uri.Query, 50, 200);
            Assert.Equal(hash, parsed.InfoHash.Span.ToArray());
            Assert.Equal(peer, parsed.PeerId);
            Assert.Equal((port, 5L, 7L, left, 80), (parsed.Port, parsed.Uploaded, parsed.Downloaded, parsed.Left, parsed.NumWant));
            Assert.Equal(request.Event, parsed.Event);
            Assert.True(parsed.Compact);
        }, iter: 200);
    }

    [Fact]
    public void Compact_and_dictionary_answers_parse_in_our_client_with_IPv6_in_peers6()
    {
        (IPEndPoint, byte[])[] peers = [(IPEndPoint.Parse("10.0.0.1:6881"), new byte[20]), (IPEndPoint.Parse("[2001:db8::1]:51413"), new byte[20])];
        var compact = HttpTrackerCodec.ParseAnnounce(HttpTrackerServerCodec.Announce(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1), 3, 4, peers, compact: true, noPeerId: true));
        Assert.Equal(peers.Select(p => p.Item1), compact.Peers);
        Assert.Equal((3, 4, TimeSpan.FromMinutes(30)), (compact.Seeders, compact.Leechers, compact.Interval));
        var dict = HttpTrackerCodec.ParseAnnounce(HttpTrackerServerCodec.Announce(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1), 3, 4, peers, compact: false, noPeerId: false));
        Assert.Equal(peers.Select(p => p.Item1), dict.Peers);
    }

    [Fact]
    public void Scrape_answers_parse_in_our_client()
    {
        var hash = new InfoHash(Enumerable.Range(0, 20).Select(i => (byte)(i * 13)).ToArray());
        var parsed = Assert.Single(HttpTrackerCodec.ParseScrape(HttpTrackerServerCodec.Scrape([new ScrapeEntry(hash, 5, 9, 2)])));
        Assert.Equal(new ScrapeEntry(hash, 5, 9, 2), parsed);
    }

    [Fact]
    public void A_failure_is_the_bencoded_reason() =>
        Assert.Equal("d14:failure reason4:nopee"u8.ToArray(), HttpTrackerServerCodec.Failure("nope"));

    [Theory]
    [InlineData("", "missing info_hash")]
    [InlineData("?info_hash=abc&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1", "3 bytes")]
    [InlineData("?info_hash=aaaaaaaaaaaaaaaaaaaa&port=1", "missing peer_id")]
    [InlineData("?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=short&port=1", "peer_id is 5 bytes")]
    [InlineData("?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa", "missing port")]
    [InlineData("?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=0", "port 0")]
    [InlineData("?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=65536", "port 65536")]
    [InlineData("?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=x", "not a number")]
    [InlineData("?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1&left=-5", "negative")]
    [InlineData("?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1&event=boom", "unknown event")]
    [InlineData("?info_hash=aaaaaaaaaaaaaaaaaaaa&info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1", "more than once")]
    [InlineData("?info_hash=%4&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1", "percent-encoding")]
    [InlineData("?info_hash=%g0aaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1", "percent-encoding")]
    [InlineData("?info_hash=ééééééééééééééééééé&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1", "non-ASCII")]
    public void Hostile_announces_are_refused_with_a_reason(string query, string reason) =>
        Assert.Contains(reason, Assert.Throws<TrackerRequestException>(() => HttpTrackerServerCodec.ParseAnnounce(query, 50, 200)).Message);

    [Fact]
    public void Numwant_is_clamped_and_an_overlong_query_refused()
    {
        const string ok = "?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1";
        Assert.Equal(200, HttpTrackerServerCodec.ParseAnnounce(ok + "&numwant=99999999999", 50, 200).NumWant);
        Assert.Equal(0, HttpTrackerServerCodec.ParseAnnounce(ok + "&numwant=-3", 50, 200).NumWant);
        Assert.Equal(50, HttpTrackerServerCodec.ParseAnnounce(ok, 50, 200).NumWant);
        Assert.Throws<TrackerRequestException>(() => HttpTrackerServerCodec.ParseAnnounce(ok + "&x=" + new string('a', 5000), 50, 200));
    }

    [Fact]
    public void Scrapes_need_hashes_within_the_bound()
    {
        Assert.Throws<TrackerRequestException>(() => HttpTrackerServerCodec.ParseScrape("", 74));
        Assert.Throws<TrackerRequestException>(() => HttpTrackerServerCodec.ParseScrape("?info_hash=short", 74));
        Assert.Throws<TrackerRequestException>(() => HttpTrackerServerCodec.ParseScrape("?" + string.Join('&', Enumerable.Repeat("info_hash=aaaaaaaaaaaaaaaaaaaa", 3)), 2));
        Assert.Equal(2, HttpTrackerServerCodec.ParseScrape("?info_hash=aaaaaaaaaaaaaaaaaaaa&info_hash=bbbbbbbbbbbbbbbbbbbb", 74).Count);
    }

    [Fact]
    public void Udp_requests_from_our_client_parse_on_the_server_and_answers_parse_in_the_client()
    {
        Assert.Equal(new UdpConnectRequest(77), UdpTrackerServerCodec.Parse(UdpTrackerCodec.Connect(77), 200));
        Assert.Equal(0x1234L, UdpTrackerCodec.ParseConnect(UdpTrackerServerCodec.ConnectResponse(77, 0x1234), 77));

        var request = new AnnounceRequest(new InfoHash(new byte[20]), new byte[20], 6881, 1, 2, 3, AnnounceEvent.Completed, 30);
        var parsed = Assert.IsType<UdpAnnounceRequest>(UdpTrackerServerCodec.Parse(UdpTrackerCodec.Announce(99, 5, request), 200));
        Assert.Equal((99L, 5, 6881, 1L, 2L, 3L, AnnounceEvent.Completed, 30), (parsed.ConnectionId, parsed.TransactionId, parsed.Announce.Port, parsed.Announce.Uploaded, parsed.Announce.Downloaded, parsed.Announce.Left, parsed.Announce.Event, parsed.Announce.NumWant));

        var answer = UdpTrackerCodec.ParseAnnounce(UdpTrackerServerCodec.AnnounceResponse(5, TimeSpan.FromMinutes(30), 2, 1, [IPEndPoint.Parse("10.1.2.3:4000"), IPEndPoint.Parse("[::1]:5")]), 5);
        Assert.Equal([IPEndPoint.Parse("10.1.2.3:4000")], answer.Peers);
        Assert.Contains("go away", Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseAnnounce(UdpTrackerServerCodec.Error(5, "go away"), 5)).Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(97)]
    public void Short_udp_packets_and_unknown_actions_are_dropped(int length)
    {
        var packet = new byte[length];
        if (length >= 12)
        {
            packet[11] = 1; // announce, but too short
        }

        Assert.Null(UdpTrackerServerCodec.Parse(packet, 200));
        var unknown = new byte[16];
        unknown[11] = 9;
        Assert.Null(UdpTrackerServerCodec.Parse(unknown, 200));
        // A connect without the protocol magic is not a BEP 15 connect.
        Assert.Null(UdpTrackerServerCodec.Parse(new byte[16], 200));
    }

    [Fact]
    public void Udp_announces_with_port_0_or_unknown_events_are_refused()
    {
        var request = new AnnounceRequest(new InfoHash(new byte[20]), new byte[20], 6881, 0, 0, 0, AnnounceEvent.None, 10);
        var packet = UdpTrackerCodec.Announce(1, 1, request);
        packet[96] = 0;
        packet[97] = 0;
        Assert.Contains("port 0", Assert.Throws<TrackerRequestException>(() => UdpTrackerServerCodec.Parse(packet, 200)).Message);
        packet = UdpTrackerCodec.Announce(1, 1, request);
        packet[83] = 9;
        Assert.Contains("unknown event", Assert.Throws<TrackerRequestException>(() => UdpTrackerServerCodec.Parse(packet, 200)).Message);
    }
}
