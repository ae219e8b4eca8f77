using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.PeerWire;

/// <summary>The BEP 10 handshake dictionary (extended message id 0).</summary>
public sealed record ExtensionHandshake(
    IReadOnlyDictionary<string, int> Extensions,
    string? Client,
    int? ListenPort,
    int? MetadataSize,
    int? RequestQueue)
{
    /// <summary>The extended message id peers use for ut_metadata messages sent to us (BEP 10: each side picks its own).</summary>
    public const byte OurMetadataId = 3;

    /// <summary>The extended message id peers use for ut_pex messages sent to us (BEP 11; libtorrent's choice too).</summary>
    public const byte OurPexId = 1;

    /// <summary>Our client as the "v" key names it.</summary>
    public const string OurClient = "SwarmActors 0.1";

    /// <summary>Our handshake: ut_metadata offered when <paramref name="metadata"/> (to fetch it, or to serve it with
    /// <paramref name="metadataSize"/>), our listen port and request queue depth; ut_pex offered when <paramref name="pex"/>.</summary>
    public static ExtensionHandshake Ours(bool metadata, int listenPort, int? metadataSize, int? requestQueue, bool pex = false) => new(
        OurExtensions(metadata, pex),
        OurClient,
        listenPort,
        metadataSize,
        requestQueue);

    private static Dictionary<string, int> OurExtensions(bool metadata, bool pex)
    {
        var m = new Dictionary<string, int>();
        if (metadata)
        {
            m[MetadataMessage.ExtensionName] = OurMetadataId;
        }

        if (pex)
        {
            m[Pex.PexMessage.ExtensionName] = OurPexId; // issue 15: peer exchange
        }

        return m;
    }

    public byte[] Encode()
    {
        var m = new Dictionary<string, BValue>(StringComparer.Ordinal);
        foreach (var (name, id) in Extensions)
        {
            m[name] = new BInteger(id);
        }

        return BencodeWriter.Encode(BDictionary.From(
            ("m", new BDictionary(m)),
            ("metadata_size", MetadataSize is { } ms ? new BInteger(ms) : null),
            ("p", ListenPort is { } p ? new BInteger(p) : null),
            ("reqq", RequestQueue is { } q ? new BInteger(q) : null),
            ("v", Client is null ? null : new BString(Client))));
    }

    public static ExtensionHandshake Decode(ReadOnlySpan<byte> payload)
    {
        BValue root;
        try
        {
            root = BencodeReader.Decode(payload, new BencodeLimits(MaxDepth: 8, MaxTokens: 10_000, MaxStringLength: 64 * 1024));
        }
        catch (BencodeException e)
        {
            throw new PeerProtocolException($"invalid extension handshake: {e.Message}");
        }

        if (root is not BDictionary d)
        {
            throw new PeerProtocolException("extension handshake is not a dictionary");
        }

        var ext = new Dictionary<string, int>(StringComparer.Ordinal);
        if (d["m"] is BDictionary m)
        {
            foreach (var (name, value) in m.Entries)
            {
                if (value is BInteger { Value: > 0 and < 256 } id)
                {
                    ext[name] = (int)id.Value;
                }
            }
        }

        return new ExtensionHandshake(
            ext,
            d["v"] is BString v ? v.Text : null,
            d["p"] is BInteger { Value: > 0 and < 65536 } p ? (int)p.Value : null,
            d["metadata_size"] is BInteger { Value: > 0 and < int.MaxValue } ms ? (int)ms.Value : null,
            d["reqq"] is BInteger { Value: > 0 and < 100_000 } q ? (int)q.Value : null);
    }
}
