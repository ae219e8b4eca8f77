using System.Buffers.Binary;
using System.Net;
using System.Text;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Protocol.Tests;

public sealed class UdpTrackerTests
{
    private const int Tx = 0x1234ABCD;
    private static readonly InfoHash Hash = new(Enumerable.Range(100, 20).Select(i => (byte)i).ToArray());
    private static readonly byte[] PeerId = Encoding.ASCII.GetBytes("-SA0100-0123456789ab");

    private static byte[] Reply(int action, int tx, int bodyLength, Action<Span<byte>>? fill = null)
    {
        var p = new byte[8 + bodyLength];
        BinaryPrimitives.WriteInt32BigEndian(p, action);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(4), tx);
        fill?.Invoke(p.AsSpan(8));
        return p;
    }

    private static byte[] ErrorReply(int tx, string message) =>
        [.. Reply(UdpTrackerCodec.ActionError, tx, 0), .. Encoding.UTF8.GetBytes(message)];

    [Fact]
    public void ConnectPacketLayout()
    {
        var p = UdpTrackerCodec.Connect(Tx);
        Assert.Equal(16, p.Length);
        Assert.Equal(Convert.FromHexString("0000041727101980"), p[0..8]);
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(p.AsSpan(8)));
        Assert.Equal(Tx, BinaryPrimitives.ReadInt32BigEndian(p.AsSpan(12)));
    }

    [Fact]
    public void ParsesConnectReply()
    {
        var reply = Reply(0, Tx, 8, b => BinaryPrimitives.WriteInt64BigEndian(b, 0x0102030405060708));
        Assert.Equal(0x0102030405060708, UdpTrackerCodec.ParseConnect(reply, Tx));
    }

    [Fact]
    public void AnnouncePacketLayout()
    {
        var request = new AnnounceRequest(Hash, PeerId, 51413, Uploaded: 0x0A0B0C0D0E0F, Downloaded: 1L << 40, Left: 12345, AnnounceEvent.Stopped, NumWant: -1, Key: 0xCAFEBABE);
        var p = UdpTrackerCodec.Announce(0x1122334455667788, Tx, request).AsSpan();
        Assert.Equal(98, p.Length);
        Assert.Equal(0x1122334455667788, BinaryPrimitives.ReadInt64BigEndian(p[0..]));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(p[8..]));
        Assert.Equal(Tx, BinaryPrimitives.ReadInt32BigEndian(p[12..]));
        Assert.Equal(Hash.Span.ToArray(), p[16..36].ToArray());
        Assert.Equal(PeerId, p[36..56].ToArray());
        Assert.Equal(1L << 40, BinaryPrimitives.ReadInt64BigEndian(p[56..]));
        Assert.Equal(12345, BinaryPrimitives.ReadInt64BigEndian(p[64..]));
        Assert.Equal(0x0A0B0C0D0E0F, BinaryPrimitives.ReadInt64BigEndian(p[72..]));
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(p[80..]));
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(p[84..]));
        Assert.Equal(0xCAFEBABE, BinaryPrimitives.ReadUInt32BigEndian(p[88..]));
        Assert.Equal(-1, BinaryPrimitives.ReadInt32BigEndian(p[92..]));
        Assert.Equal(51413, BinaryPrimitives.ReadUInt16BigEndian(p[96..]));
    }

    [Theory]
    [InlineData(AnnounceEvent.None, 0)]
    [InlineData(AnnounceEvent.Completed, 1)]
    [InlineData(AnnounceEvent.Started, 2)]
    [InlineData(AnnounceEvent.Stopped, 3)]
    public void AnnounceEventCodes(AnnounceEvent e, int code)
    {
        var p = UdpTrackerCodec.Announce(1, Tx, new AnnounceRequest(Hash, PeerId, 1, 0, 0, 0, e));
        Assert.Equal(code, BinaryPrimitives.ReadInt32BigEndian(p.AsSpan(80)));
    }

    [Fact]
    public void ParsesAnnounceReply()
    {
        var peers = new byte[] { 127, 0, 0, 1, 0x1A, 0xE1, 10, 0, 0, 2, 0, 80, 9, 9, 9, 9, 0, 0, 1, 2 };
        var reply = Reply(1, Tx, 12 + peers.Length, b =>
        {
            BinaryPrimitives.WriteInt32BigEndian(b, 1800);
            BinaryPrimitives.WriteInt32BigEndian(b[4..], 7);
            BinaryPrimitives.WriteInt32BigEndian(b[8..], 3);
            peers.CopyTo(b[12..]);
        });
        var r = UdpTrackerCodec.ParseAnnounce(reply, Tx);
        Assert.Equal(TimeSpan.FromSeconds(1800), r.Interval);
        Assert.Equal(7, r.Leechers);
        Assert.Equal(3, r.Seeders);
        Assert.Equal([IPEndPoint.Parse("127.0.0.1:6881"), IPEndPoint.Parse("10.0.0.2:80")], r.Peers);
    }

    [Fact]
    public void KeepsAtMostMaxPeersAndAPrintableError()
    {
        var peers = Enumerable.Range(0, 50).SelectMany(i => new byte[] { 10, 0, 0, (byte)i, 0, 80 }).ToArray();
        var reply = Reply(1, Tx, 12 + peers.Length, b => peers.CopyTo(b[12..]));
        Assert.Equal(5, UdpTrackerCodec.ParseAnnounce(reply, Tx, maxPeers: 5).Peers.Count);
        var e = Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseAnnounce(ErrorReply(Tx, "\u001b]0;owned\u0007" + new string('y', 5000)), Tx));
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.True(e.Message.Length < 300, e.Message);
    }

    [Fact]
    public void ParsesAnnounceReplyWithoutPeersAndClampsTheInterval()
    {
        var r = UdpTrackerCodec.ParseAnnounce(Reply(1, Tx, 12, b => BinaryPrimitives.WriteInt32BigEndian(b, -5)), Tx);
        Assert.Empty(r.Peers);
        Assert.True(r.Interval >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void ScrapePacketLayout()
    {
        var other = new InfoHash(new byte[20]);
        var p = UdpTrackerCodec.Scrape(0x0F0E0D0C0B0A0908, Tx, [Hash, other]);
        Assert.Equal(16 + 40, p.Length);
        Assert.Equal(0x0F0E0D0C0B0A0908, BinaryPrimitives.ReadInt64BigEndian(p));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(p.AsSpan(8)));
        Assert.Equal(Tx, BinaryPrimitives.ReadInt32BigEndian(p.AsSpan(12)));
        Assert.Equal(Hash.Span.ToArray(), p[16..36]);
        Assert.Equal(new byte[20], p[36..56]);
    }

    [Fact]
    public void ParsesScrapeReply()
    {
        var other = new InfoHash(new byte[20]);
        var reply = Reply(2, Tx, 24, b =>
        {
            BinaryPrimitives.WriteInt32BigEndian(b, 5);
            BinaryPrimitives.WriteInt32BigEndian(b[4..], 50);
            BinaryPrimitives.WriteInt32BigEndian(b[8..], 6);
            BinaryPrimitives.WriteInt32BigEndian(b[12..], 1);
            BinaryPrimitives.WriteInt32BigEndian(b[16..], 2);
            BinaryPrimitives.WriteInt32BigEndian(b[20..], 3);
        });
        Assert.Equal([new ScrapeEntry(Hash, 5, 50, 6), new ScrapeEntry(other, 1, 2, 3)], UdpTrackerCodec.ParseScrape(reply, Tx, [Hash, other]));
        // A reply cut short yields only the whole entries.
        Assert.Equal([new ScrapeEntry(Hash, 5, 50, 6)], UdpTrackerCodec.ParseScrape(reply[..^1], Tx, [Hash, other]));
    }

    [Fact]
    public void RejectsAnotherTransactionId()
    {
        var connect = Reply(0, Tx + 1, 8);
        Assert.Contains("transaction", Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseConnect(connect, Tx)).Message, StringComparison.Ordinal);
        Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseAnnounce(Reply(1, Tx - 1, 12), Tx));
        Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseScrape(Reply(2, 0, 12), Tx, [Hash]));
    }

    [Fact]
    public void ErrorActionCarriesTheMessage()
    {
        var reply = ErrorReply(Tx, "unregistered torrent");
        Assert.Contains("unregistered torrent", Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseConnect(reply, Tx)).Message, StringComparison.Ordinal);
        Assert.Contains("unregistered torrent", Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseAnnounce(reply, Tx)).Message, StringComparison.Ordinal);
        Assert.Contains("unregistered torrent", Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseScrape(reply, Tx, [Hash])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsWrongActionsAndShortReplies()
    {
        Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseConnect(Reply(1, Tx, 8), Tx));
        Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseConnect(Reply(0, Tx, 7), Tx));
        Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseConnect(new byte[7], 0));
        Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseAnnounce(Reply(1, Tx, 11), Tx));
        Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseAnnounce(Reply(2, Tx, 12), Tx));
        Assert.Throws<TrackerException>(() => UdpTrackerCodec.ParseScrape(Reply(0, Tx, 12), Tx, [Hash]));
    }

    [Fact]
    public void ConnectionIdsLastAMinute() => Assert.Equal(TimeSpan.FromMinutes(1), UdpTrackerCodec.ConnectionIdLifetime);

    [Fact]
    public void RecognisesAndResolvesUdpUrls()
    {
        Assert.True(UdpTrackerCodec.IsUdp("udp://tracker.example:6969/announce"));
        Assert.True(UdpTrackerCodec.IsUdp("UDP://t:1"));
        Assert.False(UdpTrackerCodec.IsUdp("http://t/announce"));
        Func<string, IPAddress[]> noLookUp = host => throw new InvalidOperationException($"looked up {host}");
        Assert.Equal(IPEndPoint.Parse("127.0.0.1:6969"), UdpTrackerCodec.Resolve("udp://127.0.0.1:6969/announce", noLookUp));
        Assert.Equal(IPEndPoint.Parse("[::1]:80"), UdpTrackerCodec.Resolve("udp://[::1]:80", noLookUp));
        Assert.Null(UdpTrackerCodec.Resolve("udp://127.0.0.1/announce", noLookUp));
        Assert.Null(UdpTrackerCodec.Resolve("not a url", noLookUp));
    }

    [Fact]
    public void ResolvesAHostNameThroughTheGivenLookUpPreferringIpv4()
    {
        IPAddress[] LookUp(string host) => host == "tracker.example" ? [IPAddress.Parse("2001:db8::1"), IPAddress.Parse("192.0.2.7")] : [];
        Assert.Equal(IPEndPoint.Parse("192.0.2.7:6969"), UdpTrackerCodec.Resolve("udp://tracker.example:6969/announce", LookUp));
        Assert.Null(UdpTrackerCodec.Resolve("udp://nowhere.example:6969/announce", LookUp));
        Assert.Equal(IPEndPoint.Parse("[2001:db8::2]:1"), UdpTrackerCodec.Resolve("udp://v6.example:1", _ => [IPAddress.Parse("2001:db8::2")]));
    }
}
