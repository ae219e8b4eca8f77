using System.Buffers;
using System.Buffers.Binary;

namespace Swarm.Protocol.PeerWire;

/// <summary>Frames peer-wire messages out of a byte stream. A length prefix beyond the cap for its message id
/// is refused as soon as the 5-byte header arrives, before any buffer for the body exists.</summary>
public static class PeerMessageReader
{
    /// <summary>Returns false when <paramref name="buffer"/> does not yet hold a whole message.
    /// Unknown message ids yield null (skipped, as BEP 3 asks).</summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, PeerWireLimits limits, out PeerMessage? message)
    {
        message = null;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[5];
        var headerLength = (int)Math.Min(5, buffer.Length);
        buffer.Slice(0, headerLength).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0)
        {
            buffer = buffer.Slice(4);
            message = KeepAlive.Instance;
            return true;
        }

        if (headerLength < 5)
        {
            return false;
        }

        var id = header[4];
        var max = limits.MaxLengthFor(id);
        if (length > (uint)max)
        {
            throw new PeerProtocolException($"message id {id} of {length} bytes exceeds the {max}-byte limit");
        }

        if (buffer.Length < 4 + length)
        {
            return false;
        }

        var body = buffer.Slice(5, length - 1);
        message = Decode(id, body, limits);
        buffer = buffer.Slice(4 + length);
        return true;
    }

    private static PeerMessage? Decode(byte id, ReadOnlySequence<byte> body, PeerWireLimits limits)
    {
        switch (id)
        {
            case MessageId.Choke: return Fixed(body, 0, Choke.Instance);
            case MessageId.Unchoke: return Fixed(body, 0, Unchoke.Instance);
            case MessageId.Interested: return Fixed(body, 0, Interested.Instance);
            case MessageId.NotInterested: return Fixed(body, 0, NotInterested.Instance);
            case MessageId.HaveAll: return Fixed(body, 0, HaveAll.Instance);
            case MessageId.HaveNone: return Fixed(body, 0, HaveNone.Instance);
            case MessageId.Have: return new Have(PieceIndex(body, limits));
            case MessageId.SuggestPiece: return new SuggestPiece(PieceIndex(body, limits));
            case MessageId.AllowedFast: return new AllowedFast(PieceIndex(body, limits));
            case MessageId.Port:
                {
                    Span<byte> b = stackalloc byte[2];
                    Expect(body, 2, id).CopyTo(b);
                    return new DhtPort(BinaryPrimitives.ReadUInt16BigEndian(b));
                }

            case MessageId.Request:
            case MessageId.Cancel:
            case MessageId.RejectRequest:
                {
                    Span<byte> b = stackalloc byte[12];
                    Expect(body, 12, id).CopyTo(b);
                    var piece = BinaryPrimitives.ReadInt32BigEndian(b);
                    var begin = BinaryPrimitives.ReadInt32BigEndian(b[4..]);
                    var length = BinaryPrimitives.ReadInt32BigEndian(b[8..]);
                    CheckBlock(piece, begin, length, limits);
                    return id switch
                    {
                        MessageId.Request => new Request(piece, begin, length),
                        MessageId.Cancel => new Cancel(piece, begin, length),
                        _ => new RejectRequest(piece, begin, length),
                    };
                }

            case MessageId.Bitfield:
                {
                    if (body.Length != limits.BitfieldLength)
                    {
                        throw new PeerProtocolException($"bitfield of {body.Length} bytes, expected {limits.BitfieldLength}");
                    }

                    var bits = body.ToArray();
                    var spare = (limits.BitfieldLength * 8) - limits.PieceCount;
                    if (spare > 0 && (bits[^1] & ((1 << spare) - 1)) != 0)
                    {
                        throw new PeerProtocolException("bitfield sets bits past the last piece");
                    }

                    return new Bitfield(bits);
                }

            case MessageId.Piece:
                {
                    if (body.Length < 8)
                    {
                        throw new PeerProtocolException("piece message shorter than its header");
                    }

                    Span<byte> b = stackalloc byte[8];
                    body.Slice(0, 8).CopyTo(b);
                    var piece = BinaryPrimitives.ReadInt32BigEndian(b);
                    var begin = BinaryPrimitives.ReadInt32BigEndian(b[4..]);
                    var length = (int)body.Length - 8;
                    CheckBlock(piece, begin, length, limits);
                    var data = BlockBuffers.Rent(length, out var pooled);
                    body.Slice(8).CopyTo(data);
                    return new PieceBlock(piece, begin, data) { Pooled = pooled };
                }

            case MessageId.Extended:
                {
                    if (body.Length < 1)
                    {
                        throw new PeerProtocolException("extended message without an id");
                    }

                    var ext = body.FirstSpan[0];
                    return new Extended(ext, body.Slice(1).ToArray());
                }

            case HashMessages.HashRequestId or HashMessages.HashesId or HashMessages.HashRejectId:
                return HashMessages.Decode(id, body.IsSingleSegment ? body.FirstSpan : body.ToArray());

            default:
                return null;
        }
    }

    private static PeerMessage Fixed(ReadOnlySequence<byte> body, int expected, PeerMessage value)
    {
        if (body.Length != expected)
        {
            throw new PeerProtocolException($"{value.GetType().Name} carries {body.Length} unexpected bytes");
        }

        return value;
    }

    private static ReadOnlySequence<byte> Expect(ReadOnlySequence<byte> body, int length, byte id)
    {
        if (body.Length != length)
        {
            throw new PeerProtocolException($"message id {id} has a {body.Length}-byte body, expected {length}");
        }

        return body;
    }

    private static int PieceIndex(ReadOnlySequence<byte> body, PeerWireLimits limits)
    {
        Span<byte> b = stackalloc byte[4];
        Expect(body, 4, MessageId.Have).CopyTo(b);
        var piece = BinaryPrimitives.ReadInt32BigEndian(b);
        if (piece < 0 || piece >= limits.PieceCount)
        {
            throw new PeerProtocolException($"piece index {piece} is outside 0..{limits.PieceCount - 1}");
        }

        return piece;
    }

    private static void CheckBlock(int piece, int begin, int length, PeerWireLimits limits)
    {
        if (piece < 0 || piece >= limits.PieceCount)
        {
            throw new PeerProtocolException($"piece index {piece} is outside 0..{limits.PieceCount - 1}");
        }

        if (begin < 0 || length <= 0 || length > limits.MaxBlockLength)
        {
            throw new PeerProtocolException($"block (offset {begin}, length {length}) is out of bounds");
        }
    }
}
