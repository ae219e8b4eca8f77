using System.Buffers.Binary;
using System.Net;
using System.Text;
using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Trackers;

/// <summary>HTTP tracker announce and scrape (BEP 3, BEP 23 compact peers, BEP 48 scrape).</summary>
public static class HttpTrackerCodec
{
    private static readonly BencodeLimits ResponseLimits = new(MaxDepth: 8, MaxTokens: 200_000, MaxStringLength: 4 * 1024 * 1024);

    public static Uri BuildAnnounceUri(string announceUrl, AnnounceRequest r)
    {
        var sb = new StringBuilder(announceUrl);
        sb.Append(announceUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?');
        sb.Append("info_hash=").Append(PercentEncode(r.InfoHash.Span));
        sb.Append("&peer_id=").Append(PercentEncode(r.PeerId));
        sb.Append("&port=").Append(r.Port);
        sb.Append("&uploaded=").Append(r.Uploaded);
        sb.Append("&downloaded=").Append(r.Downloaded);
        sb.Append("&left=").Append(r.Left);
        sb.Append("&compact=1&no_peer_id=1");
        sb.Append("&numwant=").Append(r.NumWant);
        sb.Append("&key=").Append(r.Key.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        if (r.Event != AnnounceEvent.None)
        {
            sb.Append("&event=").Append(r.Event.ToString().ToLowerInvariant());
        }

        if (r.TrackerId is not null)
        {
            sb.Append("&trackerid=").Append(Uri.EscapeDataString(r.TrackerId));
        }

        return new Uri(sb.ToString());
    }

    /// <summary>BEP 48: replace the last "announce" path segment with "scrape"; null when the tracker cannot scrape.</summary>
    public static Uri? BuildScrapeUri(string announceUrl, IEnumerable<InfoHash> hashes)
    {
        var q = announceUrl.IndexOf('?', StringComparison.Ordinal);
        var path = q < 0 ? announceUrl : announceUrl[..q];
        var scheme = path.IndexOf("://", StringComparison.Ordinal);
        var pathStart = path.IndexOf('/', scheme < 0 ? 0 : scheme + 3);
        var slash = path.LastIndexOf('/');

        // The last segment must be in the path: "http://announce.example.com" names a host, not an announce path.
        if (pathStart < 0 || slash < pathStart || !path[(slash + 1)..].StartsWith("announce", StringComparison.Ordinal))
        {
            return null;
        }

        var sb = new StringBuilder(path[..(slash + 1)]).Append("scrape").Append(path[(slash + 1 + "announce".Length)..]);
        var sep = q < 0 ? '?' : '&';
        if (q >= 0)
        {
            sb.Append(announceUrl[q..]);
        }

        foreach (var h in hashes)
        {
            sb.Append(sep).Append("info_hash=").Append(PercentEncode(h.Span));
            sep = '&';
        }

        return new Uri(sb.ToString());
    }

    /// <param name="maxPeers">Peers kept from the answer (IPv4 first, then IPv6); a tracker that gives more than this
    /// (asked for far fewer) costs no memory for the rest.</param>
    public static AnnounceResponse ParseAnnounce(ReadOnlySpan<byte> body, int maxPeers = int.MaxValue)
    {
        var d = DecodeDictionary(body);
        var peers = new List<IPEndPoint>();
        switch (d["peers"])
        {
            case BString compact:
                peers.AddRange(ParseCompactPeers(compact.Bytes, 6).Take(maxPeers));
                break;
            case BList list:
                foreach (var item in list.Items.OfType<BDictionary>().Take(maxPeers))
                {
                    if (item["ip"] is BString ip && item["port"] is BInteger { Value: > 0 and < 65536 } port
                        && IPAddress.TryParse(ip.Text, out var address))
                    {
                        peers.Add(new IPEndPoint(address, (int)port.Value));
                    }
                }

                break;
        }

        if (d["peers6"] is BString compact6)
        {
            peers.AddRange(ParseCompactPeers(compact6.Bytes, 18).Take(Math.Max(0, maxPeers - peers.Count)));
        }

        if (d["interval"] is not BInteger { Value: > 0 } interval)
        {
            throw new TrackerException("tracker response has no 'interval'");
        }

        return new AnnounceResponse(
            TimeSpan.FromSeconds(Math.Min(interval.Value, 86_400)),
            d["min interval"] is BInteger { Value: > 0 } mi ? TimeSpan.FromSeconds(Math.Min(mi.Value, 86_400)) : null,
            peers,
            d["complete"] is BInteger c ? (int)Math.Clamp(c.Value, 0, int.MaxValue) : null,
            d["incomplete"] is BInteger ic ? (int)Math.Clamp(ic.Value, 0, int.MaxValue) : null,
            d["warning message"] is BString w ? Printable.Escape(w.Text) : null,
            d["tracker id"] is BString tid ? tid.Text : null);
    }

    public static IReadOnlyList<ScrapeEntry> ParseScrape(ReadOnlySpan<byte> body)
    {
        var d = DecodeDictionary(body);
        if (d["files"] is not BDictionary files)
        {
            throw new TrackerException("scrape response has no 'files'");
        }

        var result = new List<ScrapeEntry>();
        foreach (var (key, value) in files.Entries)
        {
            var raw = Encoding.Latin1.GetBytes(key);
            if (raw.Length == InfoHash.Length && value is BDictionary f)
            {
                result.Add(new ScrapeEntry(
                    new InfoHash(raw),
                    f["complete"] is BInteger c ? (int)c.Value : 0,
                    f["downloaded"] is BInteger dl ? (int)dl.Value : 0,
                    f["incomplete"] is BInteger ic ? (int)ic.Value : 0));
            }
        }

        return result;
    }

    public static IEnumerable<IPEndPoint> ParseCompactPeers(byte[] data, int entryLength)
    {
        var addressLength = entryLength - 2;
        for (var i = 0; i + entryLength <= data.Length; i += entryLength)
        {
            var port = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(i + addressLength, 2));
            if (port != 0)
            {
                yield return new IPEndPoint(new IPAddress(data.AsSpan(i, addressLength)), port);
            }
        }
    }

    private static BDictionary DecodeDictionary(ReadOnlySpan<byte> body)
    {
        BValue root;
        try
        {
            root = BencodeReader.Decode(body, ResponseLimits);
        }
        catch (BencodeException e)
        {
            throw new TrackerException($"tracker sent an invalid response: {e.Message}");
        }

        if (root is not BDictionary d)
        {
            throw new TrackerException("tracker response is not a dictionary");
        }

        if (d["failure reason"] is BString failure)
        {
            throw new TrackerException($"tracker refused: {Printable.Escape(failure.Text)}");
        }

        return d;
    }

    private static string PercentEncode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.ToString();
    }
}
