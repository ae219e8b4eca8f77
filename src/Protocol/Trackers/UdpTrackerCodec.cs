using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Swarm.Protocol.Trackers;

/// <summary>BEP 15 UDP tracker packets. The caller owns the socket and the retransmission schedule, and must
/// re-connect once a connection id is <see cref="ConnectionIdLifetime"/> old.</summary>
public static class UdpTrackerCodec
{
    public const long ProtocolId = 0x41727101980;
    public const int ActionConnect = 0;
    public const int ActionAnnounce = 1;
    public const int ActionScrape = 2;
    public const int ActionError = 3;

    /// <summary>Connection ids are valid for one minute after they were received.</summary>
    public static readonly TimeSpan ConnectionIdLifetime = TimeSpan.FromMinutes(1);

    public static byte[] Connect(int transactionId)
    {
        var p = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(p, ProtocolId);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(8), ActionConnect);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(12), transactionId);
        return p;
    }

    public static long ParseConnect(ReadOnlySpan<byte> packet, int transactionId)
    {
        CheckHeader(packet, ActionConnect, transactionId, 16);
        return BinaryPrimitives.ReadInt64BigEndian(packet[8..]);
    }

    public static byte[] Announce(long connectionId, int transactionId, AnnounceRequest r)
    {
        var p = new byte[98];
        var s = p.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(s, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(s[8..], ActionAnnounce);
        BinaryPrimitives.WriteInt32BigEndian(s[12..], transactionId);
        r.InfoHash.Span.CopyTo(s[16..]);
        r.PeerId.CopyTo(s[36..]);
        BinaryPrimitives.WriteInt64BigEndian(s[56..], r.Downloaded);
        BinaryPrimitives.WriteInt64BigEndian(s[64..], r.Left);
        BinaryPrimitives.WriteInt64BigEndian(s[72..], r.Uploaded);
        BinaryPrimitives.WriteInt32BigEndian(s[80..], (int)r.Event);
        BinaryPrimitives.WriteInt32BigEndian(s[84..], 0); // IP: let the tracker use the source address
        BinaryPrimitives.WriteUInt32BigEndian(s[88..], r.Key);
        BinaryPrimitives.WriteInt32BigEndian(s[92..], r.NumWant);
        BinaryPrimitives.WriteUInt16BigEndian(s[96..], (ushort)r.Port);
        return p;
    }

    /// <param name="maxPeers">Peers kept from the reply (a datagram carries at most about 10,000).</param>
    public static AnnounceResponse ParseAnnounce(ReadOnlySpan<byte> packet, int transactionId, int maxPeers = int.MaxValue)
    {
        CheckHeader(packet, ActionAnnounce, transactionId, 20);
        var interval = BinaryPrimitives.ReadInt32BigEndian(packet[8..]);
        var leechers = BinaryPrimitives.ReadInt32BigEndian(packet[12..]);
        var seeders = BinaryPrimitives.ReadInt32BigEndian(packet[16..]);
        var peers = HttpTrackerCodec.ParseCompactPeers(packet[20..].ToArray(), 6).Take(maxPeers).ToList();
        return new AnnounceResponse(TimeSpan.FromSeconds(Math.Clamp(interval, 1, 86_400)), null, peers, seeders, leechers, null, null);
    }

    public static byte[] Scrape(long connectionId, int transactionId, IReadOnlyList<InfoHash> hashes)
    {
        var p = new byte[16 + (20 * hashes.Count)];
        BinaryPrimitives.WriteInt64BigEndian(p, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(8), ActionScrape);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(12), transactionId);
        for (var i = 0; i < hashes.Count; i++)
        {
            hashes[i].Span.CopyTo(p.AsSpan(16 + (20 * i)));
        }

        return p;
    }

    public static IReadOnlyList<ScrapeEntry> ParseScrape(ReadOnlySpan<byte> packet, int transactionId, IReadOnlyList<InfoHash> hashes)
    {
        CheckHeader(packet, ActionScrape, transactionId, 8);
        var result = new List<ScrapeEntry>();
        for (var i = 0; i < hashes.Count && 8 + (12 * (i + 1)) <= packet.Length; i++)
        {
            var e = packet[(8 + (12 * i))..];
            result.Add(new ScrapeEntry(
                hashes[i],
                BinaryPrimitives.ReadInt32BigEndian(e),
                BinaryPrimitives.ReadInt32BigEndian(e[4..]),
                BinaryPrimitives.ReadInt32BigEndian(e[8..])));
        }

        return result;
    }

    private static void CheckHeader(ReadOnlySpan<byte> packet, int action, int transactionId, int minLength)
    {
        if (packet.Length < 8)
        {
            throw new TrackerException($"UDP tracker reply of {packet.Length} bytes is too short");
        }

        var gotAction = BinaryPrimitives.ReadInt32BigEndian(packet);
        var gotTx = BinaryPrimitives.ReadInt32BigEndian(packet[4..]);
        if (gotTx != transactionId)
        {
            throw new TrackerException("UDP tracker reply carries another transaction id");
        }

        if (gotAction == ActionError)
        {
            throw new TrackerException($"tracker refused: {Printable.Escape(Encoding.UTF8.GetString(packet[8..Math.Min(packet.Length, 8 + (4 * Printable.MaxLength))]))}");
        }

        if (gotAction != action || packet.Length < minLength)
        {
            throw new TrackerException($"UDP tracker reply has action {gotAction} and {packet.Length} bytes, expected action {action}");
        }
    }

    public static bool IsUdp(string url) => url.StartsWith("udp://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The tracker's endpoint: an IP literal as it is, a host name through <paramref name="lookUp"/> (the
    /// caller's DNS; this library does no I/O), IPv4 preferred.</summary>
    public static IPEndPoint? Resolve(string url, Func<string, IPAddress[]> lookUp)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Port <= 0)
        {
            return null;
        }

        if (IPAddress.TryParse(uri.Host, out var ip))
        {
            return new IPEndPoint(ip, uri.Port);
        }

        var addresses = lookUp(uri.Host);
        var v4 = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
        return v4 is null ? null : new IPEndPoint(v4, uri.Port);
    }
}
