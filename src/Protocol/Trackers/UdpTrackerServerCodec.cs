using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Swarm.Protocol.Trackers;

/// <summary>A parsed UDP tracker request (BEP 15).</summary>
public abstract record UdpTrackerRequest(int TransactionId);

public sealed record UdpConnectRequest(int TransactionId) : UdpTrackerRequest(TransactionId);

public sealed record UdpAnnounceRequest(int TransactionId, long ConnectionId, TrackerAnnounce Announce) : UdpTrackerRequest(TransactionId);

public sealed record UdpScrapeRequest(int TransactionId, long ConnectionId, IReadOnlyList<InfoHash> InfoHashes) : UdpTrackerRequest(TransactionId);

/// <summary>The tracker's side of BEP 15. Packets that are too short, carry a wrong protocol id or an unknown action
/// parse to null (dropped); malformed content inside a known action is refused with an error packet.</summary>
public static class UdpTrackerServerCodec
{
    public const int MaxScrapeHashes = 74; // what fits a 1500-byte MTU answer

    /// <summary>The longest request read: a full scrape (16 + 74 × 20 bytes) or an announce with BEP 41 options fit.</summary>
    public const int MaxRequestLength = 2048;

    public static UdpTrackerRequest? Parse(ReadOnlySpan<byte> packet, int maxNumWant)
    {
        if (packet.Length < 16)
        {
            return null;
        }

        var connectionId = BinaryPrimitives.ReadInt64BigEndian(packet);
        var action = BinaryPrimitives.ReadInt32BigEndian(packet[8..]);
        var tx = BinaryPrimitives.ReadInt32BigEndian(packet[12..]);
        switch (action)
        {
            case UdpTrackerCodec.ActionConnect when connectionId == UdpTrackerCodec.ProtocolId:
                return new UdpConnectRequest(tx);
            case UdpTrackerCodec.ActionAnnounce when packet.Length >= 98:
                var port = BinaryPrimitives.ReadUInt16BigEndian(packet[96..]);
                if (port == 0)
                {
                    throw new TrackerRequestException("port 0 is not a usable port");
                }

                var ev = BinaryPrimitives.ReadInt32BigEndian(packet[80..]) switch
                {
                    0 => AnnounceEvent.None,
                    1 => AnnounceEvent.Completed,
                    2 => AnnounceEvent.Started,
                    3 => AnnounceEvent.Stopped,
                    var other => throw new TrackerRequestException($"unknown event {other}"),
                };
                var numWant = BinaryPrimitives.ReadInt32BigEndian(packet[92..]);
                var announce = new TrackerAnnounce(
                    new InfoHash(packet.Slice(16, 20)),
                    packet.Slice(36, 20).ToArray(),
                    port,
                    Math.Max(0, BinaryPrimitives.ReadInt64BigEndian(packet[72..])),
                    Math.Max(0, BinaryPrimitives.ReadInt64BigEndian(packet[56..])),
                    Math.Max(0, BinaryPrimitives.ReadInt64BigEndian(packet[64..])),
                    ev,
                    numWant < 0 ? Math.Min(50, maxNumWant) : Math.Min(numWant, maxNumWant),
                    Compact: true,
                    NoPeerId: true);
                return new UdpAnnounceRequest(tx, connectionId, announce);
            case UdpTrackerCodec.ActionScrape when packet.Length >= 36 && (packet.Length - 16) % 20 == 0:
                var count = (packet.Length - 16) / 20;
                if (count > MaxScrapeHashes)
                {
                    throw new TrackerRequestException($"at most {MaxScrapeHashes} info-hashes per scrape");
                }

                var hashes = new InfoHash[count];
                for (var i = 0; i < count; i++)
                {
                    hashes[i] = new InfoHash(packet.Slice(16 + (i * 20), 20));
                }

                return new UdpScrapeRequest(tx, connectionId, hashes);
            default:
                return null;
        }
    }

    /// <summary>The transaction id of a packet, for an error answer (null when too short to have one).</summary>
    public static int? TransactionId(ReadOnlySpan<byte> packet) => packet.Length >= 16 ? BinaryPrimitives.ReadInt32BigEndian(packet[12..]) : null;

    public static byte[] ConnectResponse(int tx, long connectionId)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(b, UdpTrackerCodec.ActionConnect);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), tx);
        BinaryPrimitives.WriteInt64BigEndian(b.AsSpan(8), connectionId);
        return b;
    }

    /// <summary>IPv4 peers only: the announce answer has no room to tell address families apart.</summary>
    public static byte[] AnnounceResponse(int tx, TimeSpan interval, int leechers, int seeders, IEnumerable<IPEndPoint> peers) =>
        AnnounceResponse(tx, interval, leechers, seeders, HttpTrackerServerCodec.CompactPeers(peers.Where(p => p.AddressFamily == AddressFamily.InterNetwork), 6));

    /// <param name="compactV4">IPv4 peers in wire form (6 bytes each, <see cref="TrackerServerPeers.V4"/>).</param>
    public static byte[] AnnounceResponse(int tx, TimeSpan interval, int leechers, int seeders, ReadOnlySpan<byte> compactV4)
    {
        var b = new byte[AnnounceResponseLength(compactV4.Length)];
        WriteAnnounceResponse(b, tx, interval, leechers, seeders, compactV4);
        return b;
    }

    /// <summary>The size of an announce answer carrying <paramref name="compactV4Length"/> bytes of peers.</summary>
    public static int AnnounceResponseLength(int compactV4Length) => 20 + compactV4Length;

    /// <summary>Writes the announce answer into <paramref name="destination"/> (at least
    /// <see cref="AnnounceResponseLength"/> long, e.g. on the stack); returns its length.</summary>
    public static int WriteAnnounceResponse(Span<byte> destination, int tx, TimeSpan interval, int leechers, int seeders, ReadOnlySpan<byte> compactV4)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, UdpTrackerCodec.ActionAnnounce);
        BinaryPrimitives.WriteInt32BigEndian(destination[4..], tx);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], (int)interval.TotalSeconds);
        BinaryPrimitives.WriteInt32BigEndian(destination[12..], leechers);
        BinaryPrimitives.WriteInt32BigEndian(destination[16..], seeders);
        compactV4.CopyTo(destination[20..]);
        return AnnounceResponseLength(compactV4.Length);
    }

    public static byte[] ScrapeResponse(int tx, IReadOnlyList<ScrapeEntry> entries)
    {
        var b = new byte[8 + (12 * entries.Count)];
        BinaryPrimitives.WriteInt32BigEndian(b, UdpTrackerCodec.ActionScrape);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), tx);
        for (var i = 0; i < entries.Count; i++)
        {
            var slot = b.AsSpan(8 + (12 * i));
            BinaryPrimitives.WriteInt32BigEndian(slot, entries[i].Seeders);
            BinaryPrimitives.WriteInt32BigEndian(slot[4..], entries[i].Completed);
            BinaryPrimitives.WriteInt32BigEndian(slot[8..], entries[i].Leechers);
        }

        return b;
    }

    public static byte[] Error(int tx, string message)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(message);
        var b = new byte[8 + text.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, UdpTrackerCodec.ActionError);
        BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), tx);
        text.CopyTo(b, 8);
        return b;
    }
}
