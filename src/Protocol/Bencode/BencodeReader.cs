namespace Swarm.Protocol.Bencode;

/// <summary>Strict bencode decoder: rejects leading zeros, "-0", unsorted or duplicate keys,
/// trailing bytes and anything past <see cref="BencodeLimits"/>.</summary>
public ref struct BencodeReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly BencodeLimits _limits;
    private int _pos;
    private int _tokens;

    private BencodeReader(ReadOnlySpan<byte> data, BencodeLimits limits)
    {
        _data = data;
        _limits = limits;
    }

    public static BValue Decode(ReadOnlySpan<byte> data, BencodeLimits? limits = null)
    {
        var r = new BencodeReader(data, limits ?? BencodeLimits.Default);
        var v = r.ReadValue(0);
        if (r._pos != data.Length)
        {
            throw new BencodeException("trailing data after the top-level value", r._pos);
        }

        return v;
    }

    /// <summary>Decodes one value at the start of <paramref name="data"/> and reports how many bytes it used
    /// (the BEP 9 metadata message carries raw piece bytes after its dictionary).</summary>
    public static BValue DecodePrefix(ReadOnlySpan<byte> data, out int consumed, BencodeLimits? limits = null)
    {
        var r = new BencodeReader(data, limits ?? BencodeLimits.Default);
        var v = r.ReadValue(0);
        consumed = r._pos;
        return v;
    }

    /// <param name="depth">How many lists and dictionaries enclose this value.</param>
    private BValue ReadValue(int depth)
    {
        if (++_tokens > _limits.MaxTokens)
        {
            throw new BencodeException($"more than {_limits.MaxTokens} elements", _pos);
        }

        if (_pos >= _data.Length)
        {
            throw new BencodeException("unexpected end of data", _pos);
        }

        if (_data[_pos] is (byte)'l' or (byte)'d' && depth >= _limits.MaxDepth)
        {
            throw new BencodeException($"nesting deeper than {_limits.MaxDepth}", _pos);
        }

        var start = _pos;
        BValue value = _data[_pos] switch
        {
            (byte)'i' => ReadInteger(),
            (byte)'l' => ReadList(depth),
            (byte)'d' => ReadDictionary(depth),
            >= (byte)'0' and <= (byte)'9' => new BString(ReadStringBytes().ToArray()),
            var b => throw new BencodeException($"unexpected byte 0x{b:x2}", _pos),
        };
        return value with { SourceOffset = start, SourceLength = _pos - start };
    }

    private BInteger ReadInteger()
    {
        _pos++; // 'i'
        var end = _data[_pos..].IndexOf((byte)'e');
        if (end < 0)
        {
            throw new BencodeException("unterminated integer", _pos);
        }

        var digits = _data.Slice(_pos, end);
        var value = ParseLong(digits, allowNegative: true, _pos);
        _pos += end + 1;
        return new BInteger(value);
    }

    private static long ParseLong(ReadOnlySpan<byte> digits, bool allowNegative, int at)
    {
        var negative = digits.Length > 0 && digits[0] == (byte)'-';
        if (negative && !allowNegative)
        {
            throw new BencodeException("negative length", at);
        }

        var body = negative ? digits[1..] : digits;
        if (body.IsEmpty)
        {
            throw new BencodeException("empty integer", at);
        }

        if (body[0] == (byte)'0' && (body.Length > 1 || negative))
        {
            throw new BencodeException("integer with a leading zero or negative zero", at);
        }

        ulong acc = 0;
        foreach (var c in body)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                throw new BencodeException($"invalid digit 0x{c:x2} in integer", at);
            }

            if (acc > (ulong.MaxValue - 9) / 10)
            {
                throw new BencodeException("integer overflows 64 bits", at);
            }

            acc = (acc * 10) + (ulong)(c - '0');
        }

        var limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        if (acc > limit)
        {
            throw new BencodeException("integer overflows 64 bits", at);
        }

        return negative ? (long)(0 - acc) : (long)acc;
    }

    private ReadOnlySpan<byte> ReadStringBytes()
    {
        var colon = _data[_pos..].IndexOf((byte)':');
        if (colon < 0 || colon > 19)
        {
            throw new BencodeException("invalid string length prefix", _pos);
        }

        var length = ParseLong(_data.Slice(_pos, colon), allowNegative: false, _pos);
        if (length > _limits.MaxStringLength)
        {
            throw new BencodeException($"string of {length} bytes exceeds the {_limits.MaxStringLength}-byte limit", _pos);
        }

        return TakeString(_data, ref _pos, colon, length);
    }

    /// <summary>The <paramref name="length"/> bytes behind the ':' at <paramref name="pos"/> + <paramref name="colon"/>,
    /// moving <paramref name="pos"/> past them; shared with the torrent-file reader, which parses lengths its own way.</summary>
    internal static ReadOnlySpan<byte> TakeString(ReadOnlySpan<byte> data, scoped ref int pos, int colon, long length)
    {
        var start = pos + colon + 1;
        if (length > data.Length - start)
        {
            throw new BencodeException($"string of {length} bytes runs past the end of data", pos);
        }

        pos = start + (int)length;
        return data.Slice(start, (int)length);
    }

    private BList ReadList(int depth)
    {
        _pos++; // 'l'
        var items = new List<BValue>();
        while (true)
        {
            if (_pos >= _data.Length)
            {
                throw new BencodeException("unterminated list", _pos);
            }

            if (_data[_pos] == (byte)'e')
            {
                _pos++;
                return new BList(items);
            }

            items.Add(ReadValue(depth + 1));
        }
    }

    private BDictionary ReadDictionary(int depth)
    {
        _pos++; // 'd'
        var entries = new Dictionary<string, BValue>(StringComparer.Ordinal);
        string? previous = null;
        while (true)
        {
            if (_pos >= _data.Length)
            {
                throw new BencodeException("unterminated dictionary", _pos);
            }

            if (_data[_pos] == (byte)'e')
            {
                _pos++;
                return new BDictionary(entries);
            }

            if (_data[_pos] is < (byte)'0' or > (byte)'9')
            {
                throw new BencodeException("dictionary key is not a string", _pos);
            }

            var keyAt = _pos;
            if (++_tokens > _limits.MaxTokens)
            {
                throw new BencodeException($"more than {_limits.MaxTokens} elements", _pos);
            }

            var key = BDictionary.KeyOf(ReadStringBytes());
            if (previous is not null && string.CompareOrdinal(previous, key) >= 0)
            {
                throw new BencodeException(
                    string.Equals(previous, key, StringComparison.Ordinal)
                        ? $"duplicate dictionary key '{Printable.Escape(key)}'"
                        : $"dictionary keys not sorted ('{Printable.Escape(key)}' after '{Printable.Escape(previous)}')",
                    keyAt);
            }

            previous = key;
            entries[key] = ReadValue(depth + 1);
        }
    }
}
