using System.Globalization;
using System.Text;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Just enough bencode to hand-craft hostile torrents and to read what other tools wrote. Kept
/// apart from src/Protocol on purpose: the tests must not trust the codec they are checking.
/// Values are <see cref="long"/>, <see cref="byte"/>[] (or <see cref="string"/> when encoding),
/// <see cref="IList{T}"/> of objects, and <see cref="IDictionary{TKey,TValue}"/> of string to object.
/// </summary>
public static class Bencode
{
    public static byte[] Encode(object value)
    {
        using var stream = new MemoryStream();
        Write(stream, value);
        return stream.ToArray();
    }

    /// <summary>Decodes one value that must span the whole input.</summary>
    public static object Decode(byte[] data)
    {
        var position = 0;
        var value = Read(data, ref position, depth: 0);
        if (position != data.Length)
        {
            throw new FormatException($"Trailing bytes after the value at offset {position}.");
        }

        return value;
    }

    /// <summary>The exact bytes of a top-level dictionary's value, e.g. "info" for the info-hash.</summary>
    public static byte[] RawValue(byte[] data, string key)
    {
        if (data.Length == 0 || data[0] != 'd')
        {
            throw new FormatException("Not a dictionary.");
        }

        var position = 1;
        while (position < data.Length && data[position] != 'e')
        {
            var name = Encoding.UTF8.GetString(ReadBytes(data, ref position));
            var start = position;
            Read(data, ref position, depth: 1);
            if (name == key)
            {
                return data[start..position];
            }
        }

        throw new KeyNotFoundException($"No \"{key}\" key.");
    }

    private static void Write(Stream stream, object value)
    {
        switch (value)
        {
            case int i:
                Write(stream, (long)i);
                break;
            case long l:
                WriteAscii(stream, $"i{l.ToString(CultureInfo.InvariantCulture)}e");
                break;
            case string s:
                Write(stream, Encoding.UTF8.GetBytes(s));
                break;
            case byte[] bytes:
                WriteAscii(stream, $"{bytes.Length.ToString(CultureInfo.InvariantCulture)}:");
                stream.Write(bytes);
                break;
            case IDictionary<string, object> dictionary:
                stream.WriteByte((byte)'d');
                // Keys in raw byte order, as BEP 3 requires.
                foreach (var (key, item) in dictionary.OrderBy(p => Encoding.UTF8.GetBytes(p.Key), ByteOrder.Instance))
                {
                    Write(stream, key);
                    Write(stream, item);
                }

                stream.WriteByte((byte)'e');
                break;
            case System.Collections.IEnumerable list:
                stream.WriteByte((byte)'l');
                foreach (var item in list)
                {
                    Write(stream, item!);
                }

                stream.WriteByte((byte)'e');
                break;
            default:
                throw new ArgumentException($"Cannot bencode {value.GetType()}.");
        }
    }

    private static void WriteAscii(Stream stream, string text) => stream.Write(Encoding.ASCII.GetBytes(text));

    private static object Read(byte[] data, ref int position, int depth)
    {
        if (depth > 64)
        {
            throw new FormatException("Nested too deep.");
        }

        if (position >= data.Length)
        {
            throw new FormatException("Truncated.");
        }

        switch (data[position])
        {
            case (byte)'i':
                var end = Array.IndexOf(data, (byte)'e', position);
                if (end < 0)
                {
                    throw new FormatException("Unterminated integer.");
                }

                var number = long.Parse(Encoding.ASCII.GetString(data, position + 1, end - position - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                position = end + 1;
                return number;
            case (byte)'l':
                position++;
                var list = new List<object>();
                while (Peek(data, position) != 'e')
                {
                    list.Add(Read(data, ref position, depth + 1));
                }

                position++;
                return list;
            case (byte)'d':
                position++;
                var dictionary = new Dictionary<string, object>(StringComparer.Ordinal);
                while (Peek(data, position) != 'e')
                {
                    var key = Encoding.UTF8.GetString(ReadBytes(data, ref position));
                    dictionary[key] = Read(data, ref position, depth + 1);
                }

                position++;
                return dictionary;
            default:
                return ReadBytes(data, ref position);
        }
    }

    private static byte Peek(byte[] data, int position) =>
        position < data.Length ? data[position] : throw new FormatException("Truncated.");

    private static byte[] ReadBytes(byte[] data, ref int position)
    {
        var colon = Array.IndexOf(data, (byte)':', position);
        if (colon < 0)
        {
            throw new FormatException($"Expected a string at offset {position}.");
        }

        var length = int.Parse(Encoding.ASCII.GetString(data, position, colon - position), NumberStyles.None, CultureInfo.InvariantCulture);
        if (length > data.Length - colon - 1)
        {
            throw new FormatException("Truncated string.");
        }

        position = colon + 1 + length;
        return data[(colon + 1)..position];
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
