using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Dht;

/// <summary>A node and where it is reached (BEP 5 "compact node info").</summary>
public sealed record DhtContact(NodeId Id, IPEndPoint EndPoint);

/// <summary>One KRPC message (BEP 5): a query, a response or an error, each with the transaction id that pairs a
/// response with its query.</summary>
public abstract record KrpcMessage(byte[] TransactionId);

/// <param name="Method">ping, find_node, get_peers, announce_peer, or another (answered with error 204).</param>
/// <param name="Target">find_node's target.</param>
/// <param name="InfoHash">get_peers' and announce_peer's info-hash.</param>
/// <param name="Port">announce_peer's port (ignored when <paramref name="ImpliedPort"/>: the UDP source port counts).</param>
public sealed record KrpcQuery(byte[] TransactionId, string Method, NodeId Sender, NodeId? Target = null, NodeId? InfoHash = null, byte[]? Token = null, int Port = 0, bool ImpliedPort = false, bool ReadOnly = false)
    : KrpcMessage(TransactionId);

/// <param name="Nodes">Closer nodes (find_node, get_peers), IPv4 and IPv6 together.</param>
/// <param name="Values">Peers of the info-hash (get_peers).</param>
/// <param name="YourAddress">BEP 42: the address the responder saw the query come from.</param>
public sealed record KrpcResponse(byte[] TransactionId, NodeId Sender, IReadOnlyList<DhtContact> Nodes, IReadOnlyList<IPEndPoint> Values, byte[]? Token = null, IPEndPoint? YourAddress = null)
    : KrpcMessage(TransactionId);

public sealed record KrpcError(byte[] TransactionId, int Code, string Message) : KrpcMessage(TransactionId);

/// <summary>Thrown for a packet that is not a well-formed KRPC message within <see cref="Krpc"/>'s limits.</summary>
public sealed class KrpcException(string message) : FormatException(message);

/// <summary>KRPC over bencode with strict limits: a packet is small (one UDP datagram), shallow and has few values; anything
/// else is refused before it costs memory. Decoding never trusts a length or count it has not checked.</summary>
public static class Krpc
{
    /// <summary>The largest datagram we decode: real KRPC packets stay below a typical MTU.</summary>
    public const int MaxPacket = 1500;

    /// <summary>Transaction ids are 2 to 4 bytes in every client we know; 16 leaves room without letting them grow.</summary>
    public const int MaxTransactionId = 16;

    /// <summary>Peers kept from one get_peers answer (a full datagram of compact IPv4 peers holds about 200).</summary>
    public const int MaxValues = 200;

    private static readonly BencodeLimits Limits = new(MaxDepth: 4, MaxTokens: 2 * MaxValues + 64, MaxStringLength: MaxPacket);

    public static KrpcMessage Decode(ReadOnlySpan<byte> packet)
    {
        if (packet.Length > MaxPacket)
        {
            throw new KrpcException($"packet of {packet.Length} bytes is over {MaxPacket}");
        }

        BValue root;
        try
        {
            root = BencodeReader.Decode(packet, Limits);
        }
        catch (BencodeException e)
        {
            throw new KrpcException($"not bencode: {e.Message}");
        }

        if (root is not BDictionary d)
        {
            throw new KrpcException("not a dictionary");
        }

        var t = Bytes(d, "t") ?? throw new KrpcException("no transaction id");
        if (t.Length is 0 or > MaxTransactionId)
        {
            throw new KrpcException($"transaction id of {t.Length} bytes");
        }

        return (Bytes(d, "y") is [var y] ? (char)y : '?') switch
        {
            'q' => DecodeQuery(d, t),
            'r' => DecodeResponse(d, t),
            'e' => DecodeError(d, t),
            _ => throw new KrpcException("no message type (y)"),
        };
    }

    public static byte[] Encode(KrpcMessage message) => BencodeWriter.Encode(message switch
    {
        KrpcQuery q => BDictionary.From(
            ("t", new BString(q.TransactionId)),
            ("y", new BString("q")),
            ("q", new BString(q.Method)),
            ("ro", q.ReadOnly ? new BInteger(1) : null),
            ("a", BDictionary.From(
                ("id", Id(q.Sender)),
                ("target", q.Target is { } target ? Id(target) : null),
                ("info_hash", q.InfoHash is { } h ? Id(h) : null),
                ("token", q.Token is { } token ? new BString(token) : null),
                ("port", q.Method == "announce_peer" ? new BInteger(q.Port) : null),
                ("implied_port", q.ImpliedPort ? new BInteger(1) : null)))),
        KrpcResponse r => BDictionary.From(
            ("t", new BString(r.TransactionId)),
            ("y", new BString("r")),
            ("ip", r.YourAddress is { } ip ? new BString(CompactPeer(ip)) : null),
            ("r", BDictionary.From(
                ("id", Id(r.Sender)),
                ("nodes", Nodes(r.Nodes, AddressFamily.InterNetwork)),
                ("nodes6", Nodes(r.Nodes, AddressFamily.InterNetworkV6)),
                ("token", r.Token is { } token ? new BString(token) : null),
                ("values", r.Values.Count > 0 ? new BList([.. r.Values.Select(v => (BValue)new BString(CompactPeer(v)))]) : null)))),
        KrpcError e => BDictionary.From(
            ("t", new BString(e.TransactionId)),
            ("y", new BString("e")),
            ("e", new BList([new BInteger(e.Code), new BString(e.Message)]))),
        _ => throw new ArgumentException($"unknown KRPC message {message.GetType().Name}"),
    });

    /// <summary>6 bytes for IPv4 (address, port), 18 for IPv6.</summary>
    public static byte[] CompactPeer(IPEndPoint ep)
    {
        var address = ep.Address.IsIPv4MappedToIPv6 ? ep.Address.MapToIPv4() : ep.Address;
        var ip = address.GetAddressBytes();
        var b = new byte[ip.Length + 2];
        ip.CopyTo(b, 0);
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(ip.Length), (ushort)ep.Port);
        return b;
    }

    public static IPEndPoint? ParsePeer(ReadOnlySpan<byte> b) => b.Length is 6 or 18
        ? new IPEndPoint(new IPAddress(b[..^2]), BinaryPrimitives.ReadUInt16BigEndian(b[^2..]))
        : null;

    /// <summary>Compact node infos: <paramref name="b"/> must be a whole number of 26-byte (IPv4) or 38-byte (IPv6) entries.</summary>
    public static IReadOnlyList<DhtContact> ParseNodes(ReadOnlySpan<byte> b, int entry)
    {
        if (b.Length % entry != 0)
        {
            throw new KrpcException($"compact nodes of {b.Length} bytes are not a multiple of {entry}");
        }

        var list = new List<DhtContact>(b.Length / entry);
        for (var i = 0; i < b.Length; i += entry)
        {
            list.Add(new DhtContact(new NodeId(b.Slice(i, NodeId.Length)), ParsePeer(b.Slice(i + NodeId.Length, entry - NodeId.Length))!));
        }

        return list;
    }

    private static KrpcQuery DecodeQuery(BDictionary d, byte[] t)
    {
        var method = Bytes(d, "q") is { Length: > 0 and <= 32 } m ? System.Text.Encoding.Latin1.GetString(m) : throw new KrpcException("query without a method");
        var a = d["a"] as BDictionary ?? throw new KrpcException("query without arguments");
        var sender = IdOf(a, "id") ?? throw new KrpcException("query without a sender id");
        var port = a["port"] is BInteger { Value: >= 0 and <= 65535 } p ? (int)p.Value : 0;
        var token = Bytes(a, "token");
        if (token is { Length: > 64 })
        {
            throw new KrpcException("token over 64 bytes");
        }

        return new KrpcQuery(t, method, sender, IdOf(a, "target"), IdOf(a, "info_hash"), token, port, a["implied_port"] is BInteger { Value: not 0 }, d["ro"] is BInteger { Value: 1 });
    }

    private static KrpcResponse DecodeResponse(BDictionary d, byte[] t)
    {
        var r = d["r"] as BDictionary ?? throw new KrpcException("response without a body");
        var sender = IdOf(r, "id") ?? throw new KrpcException("response without a sender id");
        var nodes = new List<DhtContact>();
        if (Bytes(r, "nodes") is { } n4)
        {
            nodes.AddRange(ParseNodes(n4, 26));
        }

        if (Bytes(r, "nodes6") is { } n6)
        {
            nodes.AddRange(ParseNodes(n6, 38));
        }

        var values = new List<IPEndPoint>();
        if (r["values"] is BList list)
        {
            if (list.Items.Count > MaxValues)
            {
                throw new KrpcException($"{list.Items.Count} values are over {MaxValues}");
            }

            values.AddRange(list.Items.OfType<BString>().Select(s => ParsePeer(s.Bytes)).OfType<IPEndPoint>());
        }

        var token = Bytes(r, "token");
        if (token is { Length: > 64 })
        {
            throw new KrpcException("token over 64 bytes");
        }

        var ip = Bytes(d, "ip") is { } raw ? ParsePeer(raw) : null;
        return new KrpcResponse(t, sender, nodes, values, token, ip);
    }

    private static KrpcError DecodeError(BDictionary d, byte[] t) =>
        d["e"] is BList { Items: [BInteger code, BString message] }
            ? new KrpcError(t, (int)Math.Clamp(code.Value, int.MinValue, int.MaxValue), message.Text)
            : throw new KrpcException("error without [code, message]");

    private static byte[]? Bytes(BDictionary d, string key) => d[key] is BString s ? s.Bytes : null;

    private static NodeId? IdOf(BDictionary d, string key) => d[key] switch
    {
        null => null,
        BString { Bytes.Length: NodeId.Length } s => new NodeId(s.Bytes),
        _ => throw new KrpcException($"'{key}' is not a 20-byte id"),
    };

    private static BString Id(NodeId id) => new(id.ToArray());

    private static BString? Nodes(IReadOnlyList<DhtContact> nodes, AddressFamily family)
    {
        var chosen = nodes.Where(n => Family(n.EndPoint.Address) == family).ToList();
        if (chosen.Count == 0)
        {
            return null;
        }

        var bytes = new List<byte>();
        foreach (var n in chosen)
        {
            bytes.AddRange(n.Id.Bytes.ToArray());
            bytes.AddRange(CompactPeer(n.EndPoint));
        }

        return new BString([.. bytes]);
    }

    private static AddressFamily Family(IPAddress a) => a.IsIPv4MappedToIPv6 ? AddressFamily.InterNetwork : a.AddressFamily;
}
