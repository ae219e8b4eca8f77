using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Swarm.Protocol.Bencode;

public static class BencodeWriter
{
    public static byte[] Encode(BValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(IBufferWriter<byte> output, BValue value)
    {
        switch (value)
        {
            case BInteger i:
                WriteInteger(output, i.Value);
                break;
            case BString s:
                WriteString(output, s.Bytes);
                break;
            case BList l:
                WriteByte(output, (byte)'l');
                foreach (var item in l.Items)
                {
                    Write(output, item);
                }

                WriteByte(output, (byte)'e');
                break;
            case BDictionary d:
                WriteByte(output, (byte)'d');
                foreach (var key in d.Entries.Keys.Order(StringComparer.Ordinal))
                {
                    WriteString(output, Encoding.Latin1.GetBytes(key));
                    Write(output, d.Entries[key]);
                }

                WriteByte(output, (byte)'e');
                break;
            default:
                throw new ArgumentException($"unknown bencode value {value.GetType().Name}", nameof(value));
        }
    }

    private static void WriteByte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }

    private static void WriteInteger(IBufferWriter<byte> output, long v)
    {
        var span = output.GetSpan(22);
        span[0] = (byte)'i';
        Utf8Formatter.TryFormat(v, span[1..], out var n);
        span[1 + n] = (byte)'e';
        output.Advance(n + 2);
    }

    private static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(21);
        Utf8Formatter.TryFormat(bytes.Length, span, out var n);
        span[n] = (byte)':';
        output.Advance(n + 1);
        output.Write(bytes);
    }
}
