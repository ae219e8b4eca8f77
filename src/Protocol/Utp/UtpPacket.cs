using System.Buffers.Binary;

namespace Swarm.Protocol.Utp;

/// <summary>The five uTP packet types (BEP 29), in their wire values.</summary>
public enum UtpType : byte
{
    Data = 0,
    Fin = 1,
    State = 2,
    Reset = 3,
    Syn = 4,
}

/// <summary>One uTP packet (BEP 29, version 1): the 20-byte header, an optional selective ack and the payload. Other
/// extensions are skipped on decode (their bounds still checked) and never sent.</summary>
/// <param name="SelectiveAck">The bitmask of the selective-ack extension: bit i (bit i % 8 of byte i / 8) says that
/// sequence number <c>AckNr + 2 + i</c> was received; null when the packet has none. BEP 29 asks for a multiple of 4
/// bytes, and we send that, but libtorrent sends as many bytes as its reorder buffer spans (1 to 255 here), so any
/// length is taken.</param>
public sealed record UtpPacket(
    UtpType Type,
    ushort ConnectionId,
    uint TimestampMicros,
    uint TimestampDifferenceMicros,
    uint WindowSize,
    ushort SeqNr,
    ushort AckNr,
    byte[]? SelectiveAck,
    ReadOnlyMemory<byte> Payload)
{
    public const int HeaderSize = 20;
    public const byte Version = 1;
    public const byte SelectiveAckExtension = 1;

    /// <summary>The longest selective-ack bitmask we send: 256 sequence numbers past the ack. What we receive can be
    /// longer (up to the 255 bytes the extension's length byte allows: libtorrent's covers every packet it holds out of
    /// order); bits past what we sent are ignored.</summary>
    public const int MaxSelectiveAckBytes = 32;

    /// <summary>At most this many extensions in one packet; real peers send one.</summary>
    private const int MaxExtensions = 4;

    public int EncodedLength => HeaderSize + (SelectiveAck is null ? 0 : 2 + SelectiveAck.Length) + Payload.Length;

    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }

    /// <summary>Writes the packet into <paramref name="destination"/>, which holds at least <see cref="EncodedLength"/> bytes.</summary>
    public void Encode(Span<byte> destination)
    {
        if (SelectiveAck is { } sack && sack.Length is 0 or > byte.MaxValue)
        {
            throw new ArgumentException($"A selective ack is 1 to {byte.MaxValue} bytes, not {sack.Length}.");
        }

        destination[0] = (byte)(((byte)Type << 4) | Version);
        destination[1] = SelectiveAck is null ? (byte)0 : SelectiveAckExtension;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], ConnectionId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], TimestampMicros);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], TimestampDifferenceMicros);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], WindowSize);
        BinaryPrimitives.WriteUInt16BigEndian(destination[16..], SeqNr);
        BinaryPrimitives.WriteUInt16BigEndian(destination[18..], AckNr);
        var at = HeaderSize;
        if (SelectiveAck is { } mask)
        {
            destination[at] = 0;
            destination[at + 1] = (byte)mask.Length;
            mask.CopyTo(destination[(at + 2)..]);
            at += 2 + mask.Length;
        }

        Payload.Span.CopyTo(destination[at..]);
    }

    /// <summary>Quick test for the demultiplexer: could these bytes be a uTP packet at all?</summary>
    public static bool LooksLikeUtp(ReadOnlySpan<byte> bytes) =>
        bytes.Length >= HeaderSize && (bytes[0] & 0x0F) == Version && (bytes[0] >> 4) <= (int)UtpType.Syn;

    /// <summary>Decodes one datagram; null when it is not a well-formed version-1 uTP packet (unknown type or version,
    /// a truncated header or extension, an extension chain that runs past the end, a malformed selective ack, or a
    /// payload on a packet type that carries none).</summary>
    public static UtpPacket? TryDecode(ReadOnlyMemory<byte> datagram)
    {
        var b = datagram.Span;
        if (!LooksLikeUtp(b))
        {
            return null;
        }

        var type = (UtpType)(b[0] >> 4);
        var next = b[1];
        var at = HeaderSize;
        byte[]? sack = null;
        var count = 0;
        while (next != 0)
        {
            if (++count > MaxExtensions || at + 2 > b.Length)
            {
                return null;
            }

            var kind = next;
            next = b[at];
            int length = b[at + 1];
            at += 2;
            if (at + length > b.Length)
            {
                return null;
            }

            if (kind == SelectiveAckExtension)
            {
                // Not only multiples of 4: libtorrent sends ceil(span / 8) bytes. Refusing those dropped its acks
                // whenever it held packets out of order, and the connection stalled until both ends timed out.
                if (sack is not null || length == 0)
                {
                    return null;
                }

                sack = b.Slice(at, length).ToArray();
            }

            at += length;
        }

        var payload = datagram[at..];
        if (payload.Length > 0 && type is not UtpType.Data)
        {
            return null;
        }

        return new UtpPacket(
            type,
            BinaryPrimitives.ReadUInt16BigEndian(b[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(b[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(b[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(b[12..]),
            BinaryPrimitives.ReadUInt16BigEndian(b[16..]),
            BinaryPrimitives.ReadUInt16BigEndian(b[18..]),
            sack,
            payload);
    }
}

/// <summary>Sequence-number arithmetic modulo 2^16 (BEP 29): "a is before b" when b is less than half the space ahead.</summary>
public static class UtpSeq
{
    public static bool Before(ushort a, ushort b) => a != b && (ushort)(b - a) < 0x8000;

    public static bool AtOrBefore(ushort a, ushort b) => a == b || Before(a, b);

    /// <summary>How far <paramref name="b"/> is ahead of <paramref name="a"/> (0..65535).</summary>
    public static int Distance(ushort a, ushort b) => (ushort)(b - a);
}
