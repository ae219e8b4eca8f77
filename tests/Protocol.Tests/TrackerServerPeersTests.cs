using System.Net;
using CsCheck;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Protocol.Tests;

/// <summary>Peers in wire form as the tracker answers with them, and the compact answer written straight from them.</summary>
public sealed class TrackerServerPeersTests
{
    private static readonly Gen<IPEndPoint> V4 = Gen.Select(Gen.Byte.Array[4], Gen.Int[1, 65535], (a, p) => new IPEndPoint(new IPAddress(a), p));
    private static readonly Gen<IPEndPoint> V6 = Gen.Select(Gen.Byte.Array[16], Gen.Int[1, 65535], (a, p) => new IPEndPoint(new IPAddress(a), p))
        .Where(e => !e.Address.IsIPv4MappedToIPv6);

    [Fact]
    public void The_compact_answer_is_the_bencoding_of_the_same_dictionary_and_parses_in_our_client()
    {
        Gen.Select(V4.List[0, 60], V6.List[0, 10], Gen.Int[0, 100_000], Gen.Int[0, 100_000]).Sample((v4, v6, complete, incomplete) =>
        {
            var wire = TrackerServerPeers.From([.. v4.Concat(v6).Select(e => (e, new byte[20]))], withPeerIds: false);
            var written = HttpTrackerServerCodec.CompactAnnounce(TimeSpan.FromMinutes(30), TimeSpan.FromMinutes(1), complete, incomplete, wire.V4, wire.V6);
            var expected = BencodeWriter.Encode(BDictionary.From(
                ("complete", new BInteger(complete)),
                ("incomplete", new BInteger(incomplete)),
                ("interval", new BInteger(1800)),
                ("min interval", new BInteger(60)),
                ("peers", new BString(HttpTrackerServerCodec.CompactPeers(v4, 6))),
                ("peers6", v6.Count > 0 ? new BString(HttpTrackerServerCodec.CompactPeers(v6, 18)) : null)));
            Assert.Equal(expected, written);
            Assert.Equal(v4.Concat(v6), HttpTrackerCodec.ParseAnnounce(written).Peers);
        }, iter: 200);
    }

    [Fact]
    public void Built_peers_read_back_as_endpoints_with_their_ids_ipv4_first()
    {
        var builder = new TrackerServerPeers.Builder(3, withPeerIds: true);
        builder.AddV6(IPAddress.Parse("2001:db8::7").GetAddressBytes(), 51413, Enumerable.Repeat((byte)6, 20).ToArray());
        builder.AddV4(0x0A000001, 6881, Enumerable.Repeat((byte)4, 20).ToArray());
        Assert.False(builder.IsFull);
        var peers = builder.Build();
        Assert.Equal([IPEndPoint.Parse("10.0.0.1:6881"), IPEndPoint.Parse("[2001:db8::7]:51413")], peers.Select(p => p.EndPoint));
        Assert.Equal([4, 6], peers.Select(p => p.PeerId[0]));
        Assert.Equal((6, 18, 2), (peers.V4.Length, peers.V6.Length, peers.Count));
    }

    [Fact]
    public void Without_ids_the_ids_read_as_zeros_and_lengths_are_checked()
    {
        var peers = TrackerServerPeers.From([(IPEndPoint.Parse("10.0.0.1:1"), Enumerable.Repeat((byte)9, 20).ToArray())], withPeerIds: false);
        Assert.Null(peers.PeerIds);
        Assert.Equal(new byte[20], peers[0].PeerId);
        Assert.Throws<ArgumentException>(() => new TrackerServerPeers(new byte[7], [], null));
        Assert.Throws<ArgumentException>(() => new TrackerServerPeers(new byte[6], [], new byte[19]));
        Assert.Throws<ArgumentOutOfRangeException>(() => peers[1]);
    }
}
