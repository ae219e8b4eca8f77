using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Metainfo;

/// <summary>Reads a v2 torrent's `piece layers` (beside the info dictionary, so not covered by the info-hash): each
/// layer must be exactly as long as its file's pieces and hash up to that file's `pieces root`, or the torrent is
/// refused; a v1 hash list that lies is refused the same way. Layers naming no file are ignored, as libtorrent does.</summary>
public static class PieceLayers
{
    public static Dictionary<string, byte[]> Read(BDictionary? layers, IReadOnlyList<V2File> files, int pieceLength, bool required)
    {
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (file.PiecesRoot is not { } root || file.Length <= pieceLength)
            {
                continue;
            }

            var key = System.Text.Encoding.Latin1.GetString(root);
            if (layers?[key] is not BString layer)
            {
                if (required)
                {
                    throw new InvalidTorrentException($"the 'piece layers' have no layer for '{Printable.Escape(string.Join('/', file.Path))}' ({file.Length} bytes)");
                }

                continue;
            }

            Check(file, layer.Bytes, pieceLength);
            result[Convert.ToHexStringLower(root)] = layer.Bytes;
        }

        return result;
    }

    /// <summary>The torrent's known piece layers as a bencoded `piece layers` dictionary, for keeping beside its info
    /// dictionary (a catalog row); null for a v1 torrent or when none are known.</summary>
    public static byte[]? Encode(TorrentMetainfo meta) =>
        meta.V2 is { PieceLayers.Count: > 0 } v2
            ? BencodeWriter.Encode(BDictionary.From([.. v2.PieceLayers.Select(l => (System.Text.Encoding.Latin1.GetString(Convert.FromHexString(l.Key)), (BValue?)new BString(l.Value)))]))
            : null;

    /// <summary>Metainfo read from a bare info dictionary with the piece layers kept beside it (from
    /// <see cref="Encode"/>), checked as a .torrent file's are.</summary>
    public static TorrentMetainfo Attach(TorrentMetainfo meta, byte[]? encoded)
    {
        if (meta.V2 is not { } v2 || encoded is null)
        {
            return meta;
        }

        BDictionary layers;
        try
        {
            layers = BencodeReader.Decode(encoded) as BDictionary ?? throw new InvalidTorrentException("the kept 'piece layers' are not a dictionary");
        }
        catch (BencodeException e)
        {
            throw new InvalidTorrentException($"the kept 'piece layers' are not valid bencode: {e.Message}", e);
        }

        return meta with { V2 = v2 with { PieceLayers = Read(layers, v2.Files, meta.PieceLength, required: false) } };
    }

    /// <summary>Throws unless <paramref name="layer"/> is the piece layer of <paramref name="file"/>.</summary>
    public static void Check(V2File file, ReadOnlySpan<byte> layer, int pieceLength)
    {
        var pieces = (file.Length + pieceLength - 1) / pieceLength;
        if (layer.Length != pieces * MerkleTree.HashLength)
        {
            throw new InvalidTorrentException($"the piece layer of '{Printable.Escape(string.Join('/', file.Path))}' is {layer.Length} bytes, not the {pieces * MerkleTree.HashLength} of its {pieces} pieces");
        }

        if (!MerkleTree.RootOfLayer(layer, pieceLength).AsSpan().SequenceEqual(file.PiecesRoot))
        {
            throw new InvalidTorrentException($"the piece layer of '{Printable.Escape(string.Join('/', file.Path))}' does not hash to its 'pieces root'");
        }
    }
}
