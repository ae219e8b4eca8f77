using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Trackers;

/// <summary>An announce as a tracker receives it. The peer's address is the connection's, never the request's
/// (an `ip` parameter would let anyone point a swarm at a third party).</summary>
public sealed record TrackerAnnounce(
    InfoHash InfoHash,
    byte[] PeerId,
    int Port,
    long Uploaded,
    long Downloaded,
    long Left,
    AnnounceEvent Event,
    int NumWant,
    bool Compact,
    bool NoPeerId);

/// <summary>A request the tracker refuses; the message goes back as the bencoded `failure reason`.</summary>
public sealed class TrackerRequestException(string message) : Exception(message);

/// <summary>The tracker's side of HTTP announce and scrape (BEP 3, BEP 23 compact, BEP 7 peers6, BEP 48 scrape).
/// Query strings are percent-decoded to raw bytes: info_hash and peer_id are binary.</summary>
public static class HttpTrackerServerCodec
{
    /// <summary>Longest query string accepted; real announces are under 400 bytes.</summary>
    public const int MaxQueryLength = 4096;

    public static TrackerAnnounce ParseAnnounce(string? rawQuery, int defaultNumWant, int maxNumWant) =>
        AnnounceQuery.Parse(rawQuery, defaultNumWant, maxNumWant);

    /// <summary>An announce from its query string (with or without its '?'); see <see cref="AnnounceQuery"/>.</summary>
    public static TrackerAnnounce ParseAnnounce(ReadOnlySpan<char> rawQuery, int defaultNumWant, int maxNumWant) =>
        AnnounceQuery.Parse(rawQuery, defaultNumWant, maxNumWant);

    /// <summary>The info-hashes of a scrape; at least one, at most <paramref name="max"/> (no full scrape).</summary>
    public static IReadOnlyList<InfoHash> ParseScrape(string? rawQuery, int max)
    {
        var q = QueryPairs(rawQuery);
        var hashes = q.Where(kv => kv.Key == "info_hash").Select(kv => kv.Value).ToList();
        if (hashes.Count == 0)
        {
            throw new TrackerRequestException("scrape needs info_hash (full scrapes are not served)");
        }

        if (hashes.Count > max)
        {
            throw new TrackerRequestException($"at most {max} info_hash per scrape");
        }

        return [.. hashes.Select(h => h.Length == InfoHash.Length ? new InfoHash(h) : throw new TrackerRequestException($"info_hash is {h.Length} bytes, not 20"))];
    }

    public static byte[] Failure(string reason) => BencodeWriter.Encode(BDictionary.From(("failure reason", new BString(reason))));

    /// <summary>An announce response: compact (BEP 23, IPv6 in peers6 per BEP 7) or the original list of dictionaries.</summary>
    public static byte[] Announce(TimeSpan interval, TimeSpan minInterval, int complete, int incomplete, IReadOnlyList<(IPEndPoint EndPoint, byte[] PeerId)> peers, bool compact, bool noPeerId)
    {
        if (compact)
        {
            var wire = TrackerServerPeers.From(peers, withPeerIds: false);
            return CompactAnnounce(interval, minInterval, complete, incomplete, wire.V4, wire.V6);
        }

        // The original form (BEP 3): one dictionary per peer, IPv6 peers among them.
        var peerList = new BList([.. peers.Select(p => (BValue)BDictionary.From(
            ("ip", new BString(p.EndPoint.Address.ToString())),
            ("peer id", noPeerId ? null : new BString(p.PeerId)),
            ("port", new BInteger(p.EndPoint.Port))))]);

        return BencodeWriter.Encode(BDictionary.From(
            ("complete", new BInteger(complete)),
            ("incomplete", new BInteger(incomplete)),
            ("interval", new BInteger((long)interval.TotalSeconds)),
            ("min interval", new BInteger((long)minInterval.TotalSeconds)),
            ("peers", peerList)));
    }

    /// <summary>The compact answer written straight from the wire-form peers (the same bencoding as the general
    /// writer: keys in order, peers6 only when there are IPv6 peers), without a tree of values per announce.</summary>
    public static byte[] CompactAnnounce(TimeSpan interval, TimeSpan minInterval, int complete, int incomplete, ReadOnlySpan<byte> v4, ReadOnlySpan<byte> v6)
    {
        var buffer = new byte[160 + v4.Length + v6.Length];
        var w = new SpanWriter(buffer);
        w.Raw("d8:completei"u8);
        w.Number(complete);
        w.Raw("e10:incompletei"u8);
        w.Number(incomplete);
        w.Raw("e8:intervali"u8);
        w.Number((long)interval.TotalSeconds);
        w.Raw("e12:min intervali"u8);
        w.Number((long)minInterval.TotalSeconds);
        w.Raw("e5:peers"u8);
        w.Bytes(v4);
        if (v6.Length > 0)
        {
            w.Raw("6:peers6"u8);
            w.Bytes(v6);
        }

        w.Raw("e"u8);
        return buffer[..w.Position];
    }

    private ref struct SpanWriter(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Position { get; private set; }

        public void Raw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer[Position..]);
            Position += bytes.Length;
        }

        public void Number(long n)
        {
            n.TryFormat(_buffer[Position..], out var written, default, CultureInfo.InvariantCulture);
            Position += written;
        }

        public void Bytes(ReadOnlySpan<byte> bytes)
        {
            Number(bytes.Length);
            Raw(":"u8);
            Raw(bytes);
        }
    }

    public static byte[] Scrape(IReadOnlyList<ScrapeEntry> entries)
    {
        var files = new Dictionary<string, BValue>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            files[BDictionary.KeyOf(e.InfoHash.Span)] = BDictionary.From(
                ("complete", new BInteger(e.Seeders)),
                ("downloaded", new BInteger(e.Completed)),
                ("incomplete", new BInteger(e.Leechers)));
        }

        return BencodeWriter.Encode(BDictionary.From(("files", new BDictionary(files))));
    }

    public static byte[] CompactPeers(IEnumerable<IPEndPoint> peers, int entryLength)
    {
        var list = peers.ToList();
        var bytes = new byte[list.Count * entryLength];
        for (var i = 0; i < list.Count; i++)
        {
            var slot = bytes.AsSpan(i * entryLength, entryLength);
            list[i].Address.TryWriteBytes(slot, out _);
            BinaryPrimitives.WriteUInt16BigEndian(slot[(entryLength - 2)..], (ushort)list[i].Port);
        }

        return bytes;
    }

    /// <summary>The query's key/value pairs in order, percent-decoded (scrape reads its info_hash list from them; the
    /// announce tests keep them as the reference of the one-pass <see cref="AnnounceQuery"/>).</summary>
    internal static List<KeyValuePair<string, byte[]>> QueryPairs(string? rawQuery)
    {
        var query = rawQuery ?? string.Empty;
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        if (query.Length > MaxQueryLength)
        {
            throw new TrackerRequestException($"query string longer than {MaxQueryLength} bytes");
        }

        var result = new List<KeyValuePair<string, byte[]>>();
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            var key = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? string.Empty : part[(eq + 1)..];
            result.Add(new(System.Text.Encoding.Latin1.GetString(PercentDecode(key)), PercentDecode(value)));
        }

        return result;
    }

    /// <summary>%XX to the byte, '+' to a space, anything else as itself; a broken escape is refused.</summary>
    public static byte[] PercentDecode(string s)
    {
        var bytes = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length || !byte.TryParse(s.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                {
                    throw new TrackerRequestException("malformed percent-encoding in the query string");
                }

                bytes.Add(b);
                i += 2;
            }
            else if (c > 0x7f)
            {
                throw new TrackerRequestException("non-ASCII character in the query string");
            }
            else
            {
                bytes.Add(c == '+' ? (byte)' ' : (byte)c);
            }
        }

        return [.. bytes];
    }
}
