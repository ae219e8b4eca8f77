using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Swarm.Protocol.Bencode;
using Swarm.Protocol.PeerWire;

namespace Swarm.Protocol.Pex;

/// <summary>What a BEP 11 peer says about one peer it lists in "added.f" / "added6.f".</summary>
[Flags]
public enum PexFlags : byte
{
    None = 0,
    Encryption = 0x01,
    Seed = 0x02,
    Utp = 0x04,
    Holepunch = 0x08,

    /// <summary>The sender reached it with an outgoing connection: it accepts connections.</summary>
    Reachable = 0x10,
}

public sealed record PexPeer(IPEndPoint EndPoint, PexFlags Flags);

/// <summary>The BEP 11 ut_pex message: peers the sender connected to (with flags) and dropped since its last message,
/// IPv4 and IPv6 apart, as compact strings. Decoding keeps at most a given number of each list (the rest of an
/// oversized list is ignored, as libtorrent does), so a hostile message costs no more than an honest one.</summary>
public sealed record PexMessage(IReadOnlyList<PexPeer> Added, IReadOnlyList<IPEndPoint> Dropped)
{
    public const string ExtensionName = "ut_pex";

    /// <summary>Bencode bounds: six short strings in one flat dictionary. 64 KiB holds 3640 IPv6 entries, far above
    /// the 50 a well-behaved sender lists; anything longer is not a PEX message but an attempt to cost us memory.</summary>
    private static readonly BencodeLimits Limits = new(MaxDepth: 2, MaxTokens: 64, MaxStringLength: 64 * 1024);

    public bool IsEmpty => Added.Count == 0 && Dropped.Count == 0;

    public byte[] Encode()
    {
        var added4 = Added.Where(p => p.EndPoint.AddressFamily == AddressFamily.InterNetwork).ToList();
        var added6 = Added.Where(p => p.EndPoint.AddressFamily == AddressFamily.InterNetworkV6).ToList();
        return BencodeWriter.Encode(BDictionary.From(
            ("added", new BString(Compact(added4.Select(p => p.EndPoint), 4))),
            ("added.f", new BString([.. added4.Select(p => (byte)p.Flags)])),
            ("added6", new BString(Compact(added6.Select(p => p.EndPoint), 16))),
            ("added6.f", new BString([.. added6.Select(p => (byte)p.Flags)])),
            ("dropped", new BString(Compact(Dropped.Where(e => e.AddressFamily == AddressFamily.InterNetwork), 4))),
            ("dropped6", new BString(Compact(Dropped.Where(e => e.AddressFamily == AddressFamily.InterNetworkV6), 16)))));
    }

    /// <summary>Parses a message, keeping at most <paramref name="maxAdded"/> added and <paramref name="maxDropped"/>
    /// dropped peers (IPv4 first). Entries with port 0 are skipped; a trailing partial entry is ignored. A payload that
    /// is not a bencoded dictionary within the bounds is a protocol violation.</summary>
    public static PexMessage Decode(ReadOnlySpan<byte> payload, int maxAdded, int maxDropped)
    {
        BValue root;
        try
        {
            root = BencodeReader.Decode(payload, Limits);
        }
        catch (BencodeException e)
        {
            throw new PeerProtocolException($"invalid ut_pex message: {e.Message}");
        }

        if (root is not BDictionary d)
        {
            throw new PeerProtocolException("ut_pex message is not a dictionary");
        }

        var added = new List<PexPeer>();
        AddPeers(added, Bytes(d, "added"), Bytes(d, "added.f"), 4, maxAdded);
        AddPeers(added, Bytes(d, "added6"), Bytes(d, "added6.f"), 16, maxAdded);
        var dropped = new List<IPEndPoint>();
        dropped.AddRange(Parse(Bytes(d, "dropped"), 4).Take(maxDropped));
        dropped.AddRange(Parse(Bytes(d, "dropped6"), 16).Take(maxDropped - dropped.Count));
        return new PexMessage(added, dropped);
    }

    private static byte[] Bytes(BDictionary d, string key) => d[key] is BString s ? s.Bytes : [];

    private static void AddPeers(List<PexPeer> into, byte[] compact, byte[] flags, int addressLength, int max)
    {
        var i = 0;
        foreach (var ep in Parse(compact, addressLength, includePortZero: true))
        {
            if (into.Count >= max)
            {
                return;
            }

            var f = i < flags.Length ? (PexFlags)flags[i] : PexFlags.None;
            i++;
            if (ep.Port != 0)
            {
                into.Add(new PexPeer(ep, f));
            }
        }
    }

    private static IEnumerable<IPEndPoint> Parse(byte[] data, int addressLength, bool includePortZero = false)
    {
        var entry = addressLength + 2;
        for (var i = 0; i + entry <= data.Length; i += entry)
        {
            var port = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(i + addressLength, 2));
            if (port != 0 || includePortZero)
            {
                yield return new IPEndPoint(new IPAddress(data.AsSpan(i, addressLength)), port);
            }
        }
    }

    private static byte[] Compact(IEnumerable<IPEndPoint> endpoints, int addressLength)
    {
        var list = endpoints.ToList();
        var bytes = new byte[list.Count * (addressLength + 2)];
        for (var i = 0; i < list.Count; i++)
        {
            var at = i * (addressLength + 2);
            list[i].Address.TryWriteBytes(bytes.AsSpan(at, addressLength), out _);
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(at + addressLength, 2), (ushort)list[i].Port);
        }

        return bytes;
    }
}
