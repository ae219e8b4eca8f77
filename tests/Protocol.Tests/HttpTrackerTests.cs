using System.Net;
using System.Text;
using CsCheck;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.Trackers;
using Xunit;
using static Swarm.Protocol.Tests.BValues;

namespace Swarm.Protocol.Tests;

public sealed class HttpTrackerTests
{
    // Bytes that must be escaped (0x00, ' ', '&', '%', '+', '/', '=', '?', 0x7f, 0xff) next to ones that must not.
    private static readonly byte[] HashBytes = [0x00, 0x20, 0x26, 0x25, 0x2b, 0x2f, 0x3d, 0x3f, 0x7f, 0xff, (byte)'A', (byte)'z', (byte)'0', (byte)'-', (byte)'_', (byte)'.', (byte)'~', 0x12, 0x9a, 0xe9];
    private static readonly InfoHash Hash = new(HashBytes);
    private static readonly byte[] PeerId = Encoding.ASCII.GetBytes("-SA0100-abc~def.gh j");

    private static AnnounceRequest Request(AnnounceEvent e = AnnounceEvent.Started, InfoHash? hash = null) =>
        new(hash ?? Hash, PeerId, 6881, Uploaded: 11, Downloaded: 22, Left: 33, e, NumWant: 80, Key: 0xDEADBEEF);

    private static Dictionary<string, List<string>> Query(Uri uri)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var part in uri.AbsoluteUri[(uri.AbsoluteUri.IndexOf('?', StringComparison.Ordinal) + 1)..].Split('&'))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = part[..eq];
            if (!result.TryGetValue(key, out var values))
            {
                result[key] = values = [];
            }

            values.Add(part[(eq + 1)..]);
        }

        return result;
    }

    /// <summary>Strict percent-decoding to bytes: every byte is either unreserved or %XX.</summary>
    private static byte[] PercentDecode(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                Assert.True(char.IsAsciiLetterOrDigit(text[i]) || "-_.~".Contains(text[i], StringComparison.Ordinal), $"'{text[i]}' should have been escaped");
                bytes.Add((byte)text[i]);
            }
        }

        return [.. bytes];
    }

    private static byte[] Compact(params (string Ip, int Port)[] peers) =>
        [.. peers.SelectMany(p => IPAddress.Parse(p.Ip).GetAddressBytes().Concat([(byte)(p.Port >> 8), (byte)p.Port]))];

    private static TrackerException Fails(string body) => Assert.Throws<TrackerException>(() => HttpTrackerCodec.ParseAnnounce(Encoding.Latin1.GetBytes(body)));

    [Fact]
    public void PercentEncodesInfoHashBytes()
    {
        var uri = HttpTrackerCodec.BuildAnnounceUri("http://tracker.example:8080/announce", Request());
        Assert.Contains("info_hash=%00%20%26%25%2B%2F%3D%3F%7F%FFAz0-_.~%12%9A%E9&", uri.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(HashBytes, PercentDecode(Assert.Single(Query(uri)["info_hash"])));
        Assert.Equal(PeerId, PercentDecode(Assert.Single(Query(uri)["peer_id"])));
    }

    [Fact]
    public void EncodesAnyInfoHashRecoverably()
    {
        Gen.Byte.Array[20].Sample(
            bytes =>
            {
                var uri = HttpTrackerCodec.BuildAnnounceUri("http://t/announce", Request(hash: new InfoHash(bytes)));
                Assert.Equal(bytes, PercentDecode(Assert.Single(Query(uri)["info_hash"])));
            },
            iter: 2000);
    }

    [Fact]
    public void CarriesTheAnnounceFields()
    {
        var q = Query(HttpTrackerCodec.BuildAnnounceUri("http://t/announce", Request()));
        Assert.Equal("6881", Assert.Single(q["port"]));
        Assert.Equal("11", Assert.Single(q["uploaded"]));
        Assert.Equal("22", Assert.Single(q["downloaded"]));
        Assert.Equal("33", Assert.Single(q["left"]));
        Assert.Equal("1", Assert.Single(q["compact"]));
        Assert.Equal("80", Assert.Single(q["numwant"]));
        Assert.Equal("deadbeef", Assert.Single(q["key"]));
        Assert.Equal("started", Assert.Single(q["event"]));
        Assert.False(q.ContainsKey("trackerid"));
    }

    [Theory]
    [InlineData(AnnounceEvent.Completed, "completed")]
    [InlineData(AnnounceEvent.Stopped, "stopped")]
    public void NamesTheEvent(AnnounceEvent e, string expected) =>
        Assert.Equal(expected, Assert.Single(Query(HttpTrackerCodec.BuildAnnounceUri("http://t/announce", Request(e)))["event"]));

    [Fact]
    public void LeavesOutTheEventForARegularAnnounce() =>
        Assert.False(Query(HttpTrackerCodec.BuildAnnounceUri("http://t/announce", Request(AnnounceEvent.None))).ContainsKey("event"));

    [Fact]
    public void EchoesTheTrackerId()
    {
        var uri = HttpTrackerCodec.BuildAnnounceUri("http://t/announce", Request() with { TrackerId = "a b&c" });
        Assert.Equal("a%20b%26c", Assert.Single(Query(uri)["trackerid"]));
    }

    [Fact]
    public void AppendsToAnExistingQuery()
    {
        var uri = HttpTrackerCodec.BuildAnnounceUri("http://t/announce.php?passkey=abc123", Request());
        Assert.StartsWith("http://t/announce.php?passkey=abc123&info_hash=%00", uri.AbsoluteUri, StringComparison.Ordinal);
        Assert.Equal(1, uri.AbsoluteUri.Count(c => c == '?'));
        Assert.Equal("abc123", Assert.Single(Query(uri)["passkey"]));
    }

    [Fact]
    public void BuildsScrapeUris()
    {
        var other = new InfoHash(Enumerable.Repeat((byte)0xAB, 20).ToArray());
        Assert.Equal(
            "http://t:80/scrape?info_hash=%00%20%26%25%2B%2F%3D%3F%7F%FFAz0-_.~%12%9A%E9",
            HttpTrackerCodec.BuildScrapeUri("http://t:80/announce", [Hash])!.OriginalString);
        Assert.Equal(
            "http://t/x/scrape.php?pk=1&info_hash=%00%20%26%25%2B%2F%3D%3F%7F%FFAz0-_.~%12%9A%E9&info_hash=" + string.Concat(Enumerable.Repeat("%AB", 20)),
            HttpTrackerCodec.BuildScrapeUri("http://t/x/announce.php?pk=1", [Hash, other])!.OriginalString);
        Assert.Equal("https://t/scrape", HttpTrackerCodec.BuildScrapeUri("https://t/announce", [])!.OriginalString);
    }

    [Theory]
    [InlineData("http://t/a")]
    [InlineData("http://t/announce/x")]
    [InlineData("http://t/")]
    [InlineData("http://t")]
    [InlineData("http://t/x?announce")]
    [InlineData("http://t/x?y=/announce")]
    [InlineData("http://announce.example.com")]
    [InlineData("http://announce.example.com:6969")]
    [InlineData("http://t/Announce")]
    public void CannotScrapeWithoutAnAnnounceSegment(string url) => Assert.Null(HttpTrackerCodec.BuildScrapeUri(url, [Hash]));

    [Fact]
    public void ParsesCompactPeers()
    {
        var peers = Compact(("127.0.0.1", 6881), ("10.1.2.3", 80), ("192.168.0.9", 0), ("255.255.255.255", 65535));
        var body = BencodeWriter.Encode(BDictionary.From(
            ("complete", Int(5)),
            ("incomplete", Int(7)),
            ("interval", Int(1800)),
            ("min interval", Int(60)),
            ("peers", new BString([.. peers, 1, 2, 3])),
            ("tracker id", Str("tid")),
            ("warning message", Str("be nice"))));
        var r = HttpTrackerCodec.ParseAnnounce(body);
        Assert.Equal(TimeSpan.FromSeconds(1800), r.Interval);
        Assert.Equal(TimeSpan.FromSeconds(60), r.MinInterval);
        Assert.Equal(5, r.Seeders);
        Assert.Equal(7, r.Leechers);
        Assert.Equal("be nice", r.Warning);
        Assert.Equal("tid", r.TrackerId);
        Assert.Equal(
            [IPEndPoint.Parse("127.0.0.1:6881"), IPEndPoint.Parse("10.1.2.3:80"), IPEndPoint.Parse("255.255.255.255:65535")],
            r.Peers);
    }

    [Fact]
    public void ParsesCompactIpv6Peers()
    {
        var body = BencodeWriter.Encode(BDictionary.From(
            ("interval", Int(900)),
            ("peers", new BString(Compact(("1.2.3.4", 1)))),
            ("peers6", new BString(Compact(("::1", 51413), ("2001:db8::7", 443))))));
        var r = HttpTrackerCodec.ParseAnnounce(body);
        Assert.Equal([IPEndPoint.Parse("1.2.3.4:1"), IPEndPoint.Parse("[::1]:51413"), IPEndPoint.Parse("[2001:db8::7]:443")], r.Peers);
        Assert.Null(r.MinInterval);
        Assert.Null(r.Seeders);
        Assert.Null(r.Warning);
    }

    [Fact]
    public void ParsesDictionaryPeers()
    {
        var peers = List(
            BDictionary.From(("ip", Str("10.0.0.1")), ("peer id", Str("-TR3000-000000000000")), ("port", Int(51413))),
            BDictionary.From(("ip", Str("::1")), ("port", Int(6881))),
            BDictionary.From(("ip", Str("not.an.ip.address.example")), ("port", Int(1))),
            BDictionary.From(("ip", Str("10.0.0.2")), ("port", Int(0))),
            BDictionary.From(("ip", Str("10.0.0.3")), ("port", Int(70000))),
            BDictionary.From(("ip", Str("10.0.0.4"))),
            Str("junk"));
        var r = HttpTrackerCodec.ParseAnnounce(BencodeWriter.Encode(BDictionary.From(("interval", Int(60)), ("peers", peers))));
        Assert.Equal([IPEndPoint.Parse("10.0.0.1:51413"), IPEndPoint.Parse("[::1]:6881")], r.Peers);
    }

    [Fact]
    public void KeepsAtMostMaxPeersIpv4First()
    {
        var body = BencodeWriter.Encode(BDictionary.From(
            ("interval", Int(900)),
            ("peers", new BString(Compact(("1.2.3.4", 1), ("1.2.3.5", 2), ("1.2.3.6", 3)))),
            ("peers6", new BString(Compact(("2001:db8::7", 443), ("2001:db8::8", 443))))));
        Assert.Equal([IPEndPoint.Parse("1.2.3.4:1"), IPEndPoint.Parse("1.2.3.5:2")], HttpTrackerCodec.ParseAnnounce(body, maxPeers: 2).Peers);
        Assert.Equal(4, HttpTrackerCodec.ParseAnnounce(body, maxPeers: 4).Peers.Count);
        var list = List(Enumerable.Range(1, 10).Select(i => (BValue)BDictionary.From(("ip", Str($"10.0.0.{i}")), ("port", Int(1)))).ToArray());
        Assert.Equal(3, HttpTrackerCodec.ParseAnnounce(BencodeWriter.Encode(BDictionary.From(("interval", Int(60)), ("peers", list))), maxPeers: 3).Peers.Count);
    }

    [Fact]
    public void TrackerTextIsMadePrintableAndShort()
    {
        var reason = "\u001b[2J" + new string('x', 400);
        var e = Fails($"d14:failure reason{reason.Length}:{reason}e");
        Assert.DoesNotContain('\u001b', e.Message);
        Assert.True(e.Message.Length < 300, e.Message);
        var warned = HttpTrackerCodec.ParseAnnounce(BencodeWriter.Encode(BDictionary.From(("interval", Int(60)), ("peers", Str("")), ("warning message", Str("a\u001b[31mb")))));
        Assert.Equal("a\\u001b[31mb", warned.Warning);
    }

    [Fact]
    public void ClampsAbsurdIntervals()
    {
        var r = HttpTrackerCodec.ParseAnnounce(BencodeWriter.Encode(BDictionary.From(("interval", Int(long.MaxValue)), ("peers", Str("")))));
        Assert.Equal(TimeSpan.FromDays(1), r.Interval);
        Assert.Empty(r.Peers);
    }

    [Fact]
    public void FailureReasonBecomesTheException()
    {
        var e = Fails("d14:failure reason22:torrent not registerede");
        Assert.Contains("torrent not registered", e.Message, StringComparison.Ordinal);
        // A failure wins even when the tracker also sent an interval.
        Assert.Contains("banned", Fails("d14:failure reason6:banned8:intervali60ee").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("d5:peers0:e")]
    [InlineData("d8:intervali0e5:peers0:e")]
    [InlineData("d8:intervali-5e5:peers0:e")]
    [InlineData("d8:interval2:605:peers0:e")]
    public void RequiresAnInterval(string body) => Assert.Contains("interval", Fails(body).Message, StringComparison.Ordinal);

    [Theory]
    [InlineData("")]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("d8:intervali60e")]
    [InlineData("li60ee")]
    public void RejectsResponsesThatAreNotTrackerDictionaries(string body) => Fails(body);

    [Fact]
    public void ParsesScrape()
    {
        var other = new InfoHash(Enumerable.Repeat((byte)0x42, 20).ToArray());
        var body = BencodeWriter.Encode(BDictionary.From(("files", new BDictionary(new Dictionary<string, BValue>
        {
            [BDictionary.KeyOf(HashBytes)] = BDictionary.From(("complete", Int(3)), ("downloaded", Int(10)), ("incomplete", Int(4))),
            [BDictionary.KeyOf(other.Span)] = BDictionary.From(("complete", Int(1))),
            ["short"] = BDictionary.From(("complete", Int(9))),
        }))));
        var entries = HttpTrackerCodec.ParseScrape(body);
        Assert.Equal(2, entries.Count);
        Assert.Contains(new ScrapeEntry(Hash, 3, 10, 4), entries);
        Assert.Contains(new ScrapeEntry(other, 1, 0, 0), entries);
    }

    [Fact]
    public void ScrapeFailuresAreTrackerExceptions()
    {
        Assert.Throws<TrackerException>(() => HttpTrackerCodec.ParseScrape("de"u8));
        Assert.Contains("go away", Assert.Throws<TrackerException>(() => HttpTrackerCodec.ParseScrape("d14:failure reason7:go awaye"u8)).Message, StringComparison.Ordinal);
        Assert.Throws<TrackerException>(() => HttpTrackerCodec.ParseScrape("d5:filesi1ee"u8));
    }
}
