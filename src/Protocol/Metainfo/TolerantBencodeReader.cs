using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Metainfo;

/// <summary>Decodes a .torrent file as libtorrent's bdecode does, so that every torrent libtorrent loads loads here:
/// leading zeros, "-0", unsorted keys and bytes after the top-level value are accepted (a duplicate key keeps its
/// first value, as libtorrent's lookups do); an integer too big for 64 bits reads as 0. The wire keeps the strict
/// <see cref="BencodeReader"/>. Limits are libtorrent's load_torrent_limits: 3,000,000 tokens (list and dictionary
/// ends count), fewer than 100 nested lists and dictionaries.</summary>
internal ref struct TolerantBencodeReader
{
    public const int MaxTokens = 3_000_000;
    public const int MaxDepth = 100;

    /// <summary>libtorrent's check_integer: more digits than this is an overflow error, fewer read as 0 on overflow.</summary>
    private const int MaxIntegerDigits = 20;

    private readonly ReadOnlySpan<byte> _data;
    private int _pos;
    private int _tokens;

    private TolerantBencodeReader(ReadOnlySpan<byte> data) => _data = data;

    /// <summary>Decodes the value at the start of <paramref name="data"/>; whatever follows it is ignored.</summary>
    public static BValue Decode(ReadOnlySpan<byte> data)
    {
        var r = new TolerantBencodeReader(data);
        return r.ReadValue(0);
    }

    /// <param name="depth">How many lists and dictionaries enclose this value.</param>
    private BValue ReadValue(int depth)
    {
        CountToken(depth);
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

    /// <summary>libtorrent counts every token, list and dictionary ends included, and refuses any token read while
    /// <see cref="MaxDepth"/> containers are open.</summary>
    private void CountToken(int depth)
    {
        if (_pos >= _data.Length)
        {
            throw new BencodeException("unexpected end of data", _pos);
        }

        if (depth >= MaxDepth)
        {
            throw new BencodeException($"nesting of {MaxDepth} or more lists and dictionaries", _pos);
        }

        if (++_tokens > MaxTokens)
        {
            throw new BencodeException($"more than {MaxTokens} tokens", _pos);
        }
    }

    private BInteger ReadInteger()
    {
        var at = _pos;
        _pos++; // 'i'
        var negative = _pos < _data.Length && _data[_pos] == (byte)'-';
        if (negative)
        {
            _pos++;
        }

        var digitsStart = _pos;
        do
        {
            if (_pos >= _data.Length)
            {
                throw new BencodeException("unterminated integer", at);
            }

            if (_data[_pos] is < (byte)'0' or > (byte)'9')
            {
                throw new BencodeException($"invalid digit 0x{_data[_pos]:x2} in integer", _pos);
            }

            _pos++;
            if (_pos >= _data.Length)
            {
                throw new BencodeException("unterminated integer", at);
            }
        }
        while (_data[_pos] != (byte)'e');

        var digits = _data[digitsStart.._pos];
        if (digits.Length > MaxIntegerDigits)
        {
            throw new BencodeException("integer overflows 64 bits", at);
        }

        _pos++; // 'e'
        var value = ParseDigits(digits) ?? 0;
        return new BInteger(negative ? -value : value);
    }

    /// <summary>The digits' value, or null when it does not fit a long (libtorrent then reads 0).</summary>
    private static long? ParseDigits(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        foreach (var c in digits)
        {
            var digit = c - '0';
            if (value > (long.MaxValue - digit) / 10)
            {
                return null;
            }

            value = (value * 10) + digit;
        }

        return value;
    }

    private ReadOnlySpan<byte> ReadStringBytes()
    {
        var at = _pos;
        var colon = _data[_pos..].IndexOf((byte)':');
        if (colon < 0)
        {
            throw new BencodeException("string length without ':'", at);
        }

        var digits = _data.Slice(_pos, colon);
        foreach (var c in digits)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                throw new BencodeException($"invalid digit 0x{c:x2} in string length", at);
            }
        }

        if (ParseDigits(digits) is not { } length)
        {
            throw new BencodeException("string length overflows 64 bits", at);
        }

        return BencodeReader.TakeString(_data, ref _pos, colon, length);
    }

    private BList ReadList(int depth)
    {
        _pos++; // 'l'
        var items = new List<BValue>();
        while (true)
        {
            CountToken(depth + 1);
            if (_data[_pos] == (byte)'e')
            {
                _pos++;
                return new BList(items);
            }

            _tokens--; // counted again by ReadValue
            items.Add(ReadValue(depth + 1));
        }
    }

    private BDictionary ReadDictionary(int depth)
    {
        _pos++; // 'd'
        var entries = new Dictionary<string, BValue>(StringComparer.Ordinal);
        while (true)
        {
            CountToken(depth + 1);
            if (_data[_pos] == (byte)'e')
            {
                _pos++;
                return new BDictionary(entries);
            }

            if (_data[_pos] is < (byte)'0' or > (byte)'9')
            {
                throw new BencodeException("dictionary key is not a string", _pos);
            }

            var key = BDictionary.KeyOf(ReadStringBytes());
            if (_pos < _data.Length && _data[_pos] == (byte)'e')
            {
                throw new BencodeException("dictionary key without a value", _pos);
            }

            var value = ReadValue(depth + 1);
            entries.TryAdd(key, value);
        }
    }
}
