using System.Net;
using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Dht;

/// <summary>The routing table as kept in the state folder between runs: our node id and the nodes we knew, as bencode
/// (compact node infos), and the local address classes the table was built under (a table learnt from a loopback
/// bootstrap node holds loopback nodes, which a restarted node must still accept). A restarted node starts from them
/// instead of the bootstrap routers.</summary>
public static class TableFile
{
    /// <summary>More than a full table ever holds in practice (160 buckets of 8), so a tampered file costs little.</summary>
    public const int MaxBytes = 256 * 1024;

    public static byte[] Encode(NodeId self, IEnumerable<DhtContact> nodes, AddressRules rules)
    {
        var list = nodes.ToList();
        return BencodeWriter.Encode(BDictionary.From(
            ("id", new BString(self.ToArray())),
            ("local", new BInteger((rules.AllowLoopback ? 1 : 0) | (rules.AllowPrivate ? 2 : 0))),
            ("nodes", new BString([.. list.Where(n => n.EndPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).SelectMany(Compact)])),
            ("nodes6", new BString([.. list.Where(n => n.EndPoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6).SelectMany(Compact)]))));
    }

    /// <summary>The saved id and nodes; a <see cref="FormatException"/> for a file that is not one of ours.</summary>
    public static (NodeId Self, IReadOnlyList<DhtContact> Nodes, AddressRules Rules) Decode(ReadOnlySpan<byte> file)
    {
        if (file.Length > MaxBytes)
        {
            throw new FormatException($"DHT table file of {file.Length} bytes is over {MaxBytes}");
        }

        if (BencodeReader.Decode(file, new BencodeLimits(MaxDepth: 2, MaxTokens: 16, MaxStringLength: MaxBytes)) is not BDictionary { } d
            || d["id"] is not BString { Bytes.Length: NodeId.Length } id)
        {
            throw new FormatException("not a DHT table file");
        }

        var nodes = new List<DhtContact>();
        if (d["nodes"] is BString n4)
        {
            nodes.AddRange(Krpc.ParseNodes(n4.Bytes, 26));
        }

        if (d["nodes6"] is BString n6)
        {
            nodes.AddRange(Krpc.ParseNodes(n6.Bytes, 38));
        }

        var local = d["local"] is BInteger b ? b.Value : 0;
        return (new NodeId(id.Bytes), nodes, new AddressRules((local & 1) != 0, (local & 2) != 0));
    }

    private static byte[] Compact(DhtContact n) => [.. n.Id.Bytes, .. Krpc.CompactPeer(n.EndPoint)];
}
