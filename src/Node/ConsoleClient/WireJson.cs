using System.Globalization;
using System.Text;

namespace Swarm.Node.ConsoleClient;

/// <summary>The kinds of a <see cref="WireJsonValue"/>, named and numbered as System.Text.Json's JsonValueKind (the
/// codec's messages name them).</summary>
internal enum WireJsonKind
{
    Undefined,
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>One JSON value of the local console wire, read by <see cref="WireJson.Parse"/>.</summary>
internal sealed class WireJsonValue
{
    private readonly string? _text;
    private readonly Dictionary<string, WireJsonValue>? _properties;
    private readonly List<WireJsonValue>? _items;

    private WireJsonValue(WireJsonKind kind, string? text = null, Dictionary<string, WireJsonValue>? properties = null, List<WireJsonValue>? items = null)
    {
        Kind = kind;
        _text = text;
        _properties = properties;
        _items = items;
    }

    public WireJsonKind Kind { get; }

    /// <summary>An array's items (empty for any other kind).</summary>
    public IReadOnlyList<WireJsonValue> Items => _items ?? [];

    /// <summary>A string's value.</summary>
    public string GetString() => Kind == WireJsonKind.String ? _text! : throw new InvalidOperationException($"a JSON {Kind} is no string");

    public int GetArrayLength() => Items.Count;

    public IReadOnlyList<WireJsonValue> EnumerateArray() => Items;

    /// <summary>A number without fraction or exponent that fits (as System.Text.Json's TryGetInt32 reads it).</summary>
    public bool TryGetInt32(out int value) =>
        int.TryParse(NumberText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public bool TryGetInt64(out long value) =>
        long.TryParse(NumberText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    public double GetDouble() => double.Parse(NumberText, NumberStyles.Float, CultureInfo.InvariantCulture);

    public bool TryGetBytesFromBase64(out byte[] bytes)
    {
        var text = GetString();
        var buffer = new byte[(text.Length + 3) / 4 * 3];
        if (Convert.TryFromBase64String(text, buffer, out var written))
        {
            bytes = buffer.AsSpan(0, written).ToArray();
            return true;
        }

        bytes = [];
        return false;
    }

    /// <summary>An ISO 8601 date and time: "Z" reads as UTC, an offset as local time, none as unspecified.</summary>
    public bool TryGetDateTime(out DateTime value) =>
        System.DateTime.TryParse(GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out value);

    public bool TryGetDateTimeOffset(out DateTimeOffset value) =>
        System.DateTimeOffset.TryParse(GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out value);

    private string NumberText => Kind == WireJsonKind.Number ? _text! : throw new InvalidOperationException($"a JSON {Kind} is no number");

    /// <summary>An object's field (the last one, if the name repeats, as System.Text.Json reads it).</summary>
    public bool TryGetProperty(string name, out WireJsonValue value)
    {
        if (_properties is not null && _properties.TryGetValue(name, out var found))
        {
            value = found;
            return true;
        }

        value = Absent;
        return false;
    }

    internal static readonly WireJsonValue Absent = new(WireJsonKind.Undefined);
    internal static readonly WireJsonValue True = new(WireJsonKind.True);
    internal static readonly WireJsonValue False = new(WireJsonKind.False);
    internal static readonly WireJsonValue Null = new(WireJsonKind.Null);

    internal static WireJsonValue String(string text) => new(WireJsonKind.String, text);

    internal static WireJsonValue Number(string text) => new(WireJsonKind.Number, text);

    internal static WireJsonValue Object(Dictionary<string, WireJsonValue> properties) => new(WireJsonKind.Object, properties: properties);

    internal static WireJsonValue Array(List<WireJsonValue> items) => new(WireJsonKind.Array, items: items);
}

/// <summary>JSON for the local console wire without System.Text.Json (issue 14): loading it, building its default
/// escaping encoder and JIT-compiling its generic helpers cost a one-shot `swarm console status` ≈ 15 ms of a ≈ 60 ms
/// run. The grammar is JSON's (RFC 8259), nesting at most <see cref="MaximumDepth"/> deep like System.Text.Json's
/// default; what it writes, System.Text.Json reads, and what System.Text.Json wrote (the node's replies, the previous
/// version's requests), it reads.</summary>
internal static class WireJson
{
    public const int MaximumDepth = 64;

    /// <exception cref="FormatException">Not one JSON value.</exception>
    public static WireJsonValue Parse(ReadOnlySpan<byte> utf8)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw new FormatException("not UTF-8");
        }

        var reader = new Reader(text);
        var value = reader.Value(0);
        reader.SkipWhitespace();
        return reader.AtEnd ? value : throw reader.Error("more after the value");
    }

    private struct Reader(string text)
    {
        private int _at;

        public readonly bool AtEnd => _at == text.Length;

        public WireJsonValue Value(int depth)
        {
            SkipWhitespace();
            if (AtEnd)
            {
                throw Error("a value was expected");
            }

            switch (text[_at])
            {
                case '{':
                    return Object(depth + 1);
                case '[':
                    return Array(depth + 1);
                case '"':
                    return WireJsonValue.String(String());
                case 't':
                    Literal("true");
                    return WireJsonValue.True;
                case 'f':
                    Literal("false");
                    return WireJsonValue.False;
                case 'n':
                    Literal("null");
                    return WireJsonValue.Null;
                default:
                    return WireJsonValue.Number(Number());
            }
        }

        public void SkipWhitespace()
        {
            while (_at < text.Length && text[_at] is ' ' or '\t' or '\n' or '\r')
            {
                _at++;
            }
        }

        public readonly FormatException Error(string what) => new($"{what} at character {_at}");

        private WireJsonValue Object(int depth)
        {
            CheckDepth(depth);
            _at++;
            var properties = new Dictionary<string, WireJsonValue>(StringComparer.Ordinal);
            SkipWhitespace();
            if (Next('}'))
            {
                return WireJsonValue.Object(properties);
            }

            do
            {
                SkipWhitespace();
                if (AtEnd || text[_at] != '"')
                {
                    throw Error("a property name was expected");
                }

                var name = String();
                SkipWhitespace();
                Expect(':');
                properties[name] = Value(depth);
                SkipWhitespace();
            }
            while (Next(','));

            Expect('}');
            return WireJsonValue.Object(properties);
        }

        private WireJsonValue Array(int depth)
        {
            CheckDepth(depth);
            _at++;
            var items = new List<WireJsonValue>();
            SkipWhitespace();
            if (Next(']'))
            {
                return WireJsonValue.Array(items);
            }

            do
            {
                items.Add(Value(depth));
                SkipWhitespace();
            }
            while (Next(','));

            Expect(']');
            return WireJsonValue.Array(items);
        }

        private string String()
        {
            _at++;
            var start = _at;
            StringBuilder? escaped = null;
            while (true)
            {
                if (AtEnd)
                {
                    throw Error("unterminated string");
                }

                var c = text[_at];
                if (c == '"')
                {
                    var tail = text[start.._at];
                    _at++;
                    return escaped is null ? tail : escaped.Append(tail).ToString();
                }

                if (c < ' ')
                {
                    throw Error("a control character in a string");
                }

                if (c != '\\')
                {
                    _at++;
                    continue;
                }

                escaped ??= new StringBuilder();
                escaped.Append(text, start, _at - start);
                if (_at + 1 >= text.Length)
                {
                    throw Error("unterminated string");
                }

                var e = text[_at + 1];
                _at += 2;
                switch (e)
                {
                    case '"' or '\\' or '/':
                        escaped.Append(e);
                        break;
                    case 'b':
                        escaped.Append('\b');
                        break;
                    case 'f':
                        escaped.Append('\f');
                        break;
                    case 'n':
                        escaped.Append('\n');
                        break;
                    case 'r':
                        escaped.Append('\r');
                        break;
                    case 't':
                        escaped.Append('\t');
                        break;
                    case 'u' when _at + 4 <= text.Length && ushort.TryParse(text.AsSpan(_at, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                        escaped.Append((char)code);
                        _at += 4;
                        break;
                    default:
                        throw Error("an invalid escape in a string");
                }

                start = _at;
            }
        }

        /// <summary>-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, kept as written.</summary>
        private string Number()
        {
            var start = _at;
            Next('-');
            if (Next('0'))
            {
                // No leading zeros.
            }
            else if (Digits() == 0)
            {
                throw Error("a value was expected");
            }

            if (Next('.') && Digits() == 0)
            {
                throw Error("digits were expected after the decimal point");
            }

            if (Next('e') || Next('E'))
            {
                _ = Next('+') || Next('-');
                if (Digits() == 0)
                {
                    throw Error("digits were expected in the exponent");
                }
            }

            return text[start.._at];
        }

        private int Digits()
        {
            var start = _at;
            while (_at < text.Length && char.IsAsciiDigit(text[_at]))
            {
                _at++;
            }

            return _at - start;
        }

        private void Literal(string word)
        {
            if (string.CompareOrdinal(text, _at, word, 0, word.Length) != 0)
            {
                throw Error("a value was expected");
            }

            _at += word.Length;
        }

        private bool Next(char c)
        {
            if (_at < text.Length && text[_at] == c)
            {
                _at++;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            if (!Next(c))
            {
                throw Error($"'{c}' was expected");
            }
        }

        private readonly void CheckDepth(int depth)
        {
            if (depth > MaximumDepth)
            {
                throw Error($"nested deeper than {MaximumDepth}");
            }
        }
    }
}
