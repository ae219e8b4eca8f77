using System.Buffers;
using System.Buffers.Binary;

namespace Swarm.Protocol.PeerWire;

public static class PeerMessageWriter
{
    public static void Write(IBufferWriter<byte> output, PeerMessage message)
    {
        switch (message)
        {
            case KeepAlive:
                Header(output, 0);
                break;
            case Choke: Simple(output, MessageId.Choke); break;
            case Unchoke: Simple(output, MessageId.Unchoke); break;
            case Interested: Simple(output, MessageId.Interested); break;
            case NotInterested: Simple(output, MessageId.NotInterested); break;
            case HaveAll: Simple(output, MessageId.HaveAll); break;
            case HaveNone: Simple(output, MessageId.HaveNone); break;
            case Have m: WithInt(output, MessageId.Have, m.Piece); break;
            case SuggestPiece m: WithInt(output, MessageId.SuggestPiece, m.Piece); break;
            case AllowedFast m: WithInt(output, MessageId.AllowedFast, m.Piece); break;
            case Request m: Triple(output, MessageId.Request, m.Piece, m.Begin, m.Length); break;
            case Cancel m: Triple(output, MessageId.Cancel, m.Piece, m.Begin, m.Length); break;
            case RejectRequest m: Triple(output, MessageId.RejectRequest, m.Piece, m.Begin, m.Length); break;
            case DhtPort m:
                {
                    var span = output.GetSpan(7);
                    BinaryPrimitives.WriteUInt32BigEndian(span, 3);
                    span[4] = MessageId.Port;
                    BinaryPrimitives.WriteUInt16BigEndian(span[5..], m.Port);
                    output.Advance(7);
                    break;
                }

            case Bitfield m:
                {
                    var span = output.GetSpan(5);
                    BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(1 + m.Bits.Length));
                    span[4] = MessageId.Bitfield;
                    output.Advance(5);
                    output.Write(m.Bits);
                    break;
                }

            case PieceBlock m:
                WritePiece(output, m.Piece, m.Begin, m.Data);
                break;
            case Extended m:
                {
                    var span = output.GetSpan(6);
                    BinaryPrimitives.WriteUInt32BigEndian(span, (uint)(2 + m.Payload.Length));
                    span[4] = MessageId.Extended;
                    span[5] = m.ExtendedId;
                    output.Advance(6);
                    output.Write(m.Payload);
                    break;
                }

            case HashRequest or HashesReply or HashReject:
                output.Write(HashMessages.Encode(message)); // BEP 52: rare and small enough to build whole
                break;

            default:
                throw new ArgumentException($"cannot encode {message.GetType().Name}", nameof(message));
        }
    }

    public const int PieceHeaderLength = 13;

    public static void WritePiece(IBufferWriter<byte> output, int piece, int begin, ReadOnlySpan<byte> data)
    {
        WritePieceHeader(output.GetSpan(PieceHeaderLength), piece, begin, data.Length);
        output.Advance(PieceHeaderLength);
        output.Write(data);
    }

    /// <summary>Writes the 13-byte header of a piece message whose block the caller places right after it
    /// (lets uploads be read from disk straight into the socket buffer).</summary>
    public static void WritePieceHeader(Span<byte> destination, int piece, int begin, int blockLength)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(9 + blockLength));
        destination[4] = MessageId.Piece;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], piece);
        BinaryPrimitives.WriteInt32BigEndian(destination[9..], begin);
    }

    public static byte[] ToArray(PeerMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(32);
        Write(buffer, message);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Header(IBufferWriter<byte> output, uint length)
    {
        BinaryPrimitives.WriteUInt32BigEndian(output.GetSpan(4), length);
        output.Advance(4);
    }

    private static void Simple(IBufferWriter<byte> output, byte id)
    {
        var span = output.GetSpan(5);
        BinaryPrimitives.WriteUInt32BigEndian(span, 1);
        span[4] = id;
        output.Advance(5);
    }

    private static void WithInt(IBufferWriter<byte> output, byte id, int value)
    {
        var span = output.GetSpan(9);
        BinaryPrimitives.WriteUInt32BigEndian(span, 5);
        span[4] = id;
        BinaryPrimitives.WriteInt32BigEndian(span[5..], value);
        output.Advance(9);
    }

    private static void Triple(IBufferWriter<byte> output, byte id, int a, int b, int c)
    {
        var span = output.GetSpan(17);
        BinaryPrimitives.WriteUInt32BigEndian(span, 13);
        span[4] = id;
        BinaryPrimitives.WriteInt32BigEndian(span[5..], a);
        BinaryPrimitives.WriteInt32BigEndian(span[9..], b);
        BinaryPrimitives.WriteInt32BigEndian(span[13..], c);
        output.Advance(17);
    }
}
