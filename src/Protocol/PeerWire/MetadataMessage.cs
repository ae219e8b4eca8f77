using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.PeerWire;

public enum MetadataMessageType
{
    Request = 0,
    Data = 1,
    Reject = 2,
}

/// <summary>A BEP 9 ut_metadata message: a bencoded dictionary, followed by the piece's bytes for
/// <see cref="MetadataMessageType.Data"/>. The info dictionary travels in 16 KiB pieces.</summary>
public sealed record MetadataMessage(MetadataMessageType Type, int Piece, int? TotalSize, byte[] Data)
{
    public const string ExtensionName = "ut_metadata";
    public const int PieceLength = 16 * 1024;

    public static MetadataMessage Request(int piece) => new(MetadataMessageType.Request, piece, null, []);

    public static MetadataMessage Reject(int piece) => new(MetadataMessageType.Reject, piece, null, []);

    /// <summary>Piece <paramref name="piece"/> of <paramref name="infoDictionary"/>.</summary>
    public static MetadataMessage DataOf(ReadOnlySpan<byte> infoDictionary, int piece)
    {
        var start = piece * PieceLength;
        var length = Math.Min(PieceLength, infoDictionary.Length - start);
        return new(MetadataMessageType.Data, piece, infoDictionary.Length, infoDictionary.Slice(start, length).ToArray());
    }

    public static int PieceCount(int totalSize) => (totalSize + PieceLength - 1) / PieceLength;

    public byte[] Encode()
    {
        var header = BencodeWriter.Encode(BDictionary.From(
            ("msg_type", new BInteger((int)Type)),
            ("piece", new BInteger(Piece)),
            ("total_size", TotalSize is { } t ? new BInteger(t) : null)));
        return [.. header, .. Data];
    }

    /// <summary>Parses and validates a message: known type, a piece inside the metadata, a total size within
    /// <paramref name="maxTotalSize"/>, and exactly the bytes that piece must hold.</summary>
    public static MetadataMessage Decode(ReadOnlySpan<byte> payload, int maxTotalSize)
    {
        BValue root;
        int consumed;
        try
        {
            root = BencodeReader.DecodePrefix(payload, out consumed, new BencodeLimits(MaxDepth: 4, MaxTokens: 64, MaxStringLength: 256));
        }
        catch (BencodeException e)
        {
            throw new PeerProtocolException($"invalid ut_metadata message: {e.Message}");
        }

        if (root is not BDictionary d || d["msg_type"] is not BInteger { Value: >= 0 and <= 2 } type || d["piece"] is not BInteger { Value: >= 0 and < int.MaxValue } piece)
        {
            throw new PeerProtocolException("ut_metadata message without a valid msg_type and piece");
        }

        var kind = (MetadataMessageType)type.Value;
        if (kind != MetadataMessageType.Data)
        {
            return new MetadataMessage(kind, (int)piece.Value, null, []);
        }

        if (d["total_size"] is not BInteger { Value: > 0 } total || total.Value > maxTotalSize)
        {
            throw new PeerProtocolException($"ut_metadata data with a total_size missing or above {maxTotalSize} bytes");
        }

        var size = (int)total.Value;
        var index = (int)piece.Value;
        if (index >= PieceCount(size))
        {
            throw new PeerProtocolException($"ut_metadata piece {index} beyond the {PieceCount(size)} pieces of {size} bytes");
        }

        var expected = Math.Min(PieceLength, size - (index * PieceLength));
        var data = payload[consumed..];
        if (data.Length != expected)
        {
            throw new PeerProtocolException($"ut_metadata piece {index} holds {data.Length} bytes, not {expected}");
        }

        return new MetadataMessage(kind, index, size, data.ToArray());
    }
}
