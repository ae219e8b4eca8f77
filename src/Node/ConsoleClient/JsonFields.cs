namespace Swarm.Node.ConsoleClient;

/// <summary>The fields of one JSON object of the local console wire, read by name and kind: a missing field or one of
/// the wrong kind is a <see cref="LocalWireException"/> naming the record and the field, never a default the node
/// would then act on. Fields that a record declares with an initializer (added to the protocol later) may be absent
/// and keep their default, so a console and a node one version apart still understand each other.</summary>
internal readonly struct JsonFields
{
    private readonly WireJsonValue _object;
    private readonly string _record;

    public JsonFields(WireJsonValue value, string record)
    {
        if (value.Kind != WireJsonKind.Object)
        {
            throw new LocalWireException($"unreadable {record}: not a JSON object");
        }

        _object = value;
        _record = record;
    }

    public string String(string name) => Required(name, WireJsonKind.String).GetString();

    public string? NullableString(string name) => NonNull(name, out var e, WireJsonKind.String) ? e.GetString() : null;

    public string String(string name, string absent) => Optional(name, out var e, WireJsonKind.String) ? e.GetString() : absent;

    public bool Bool(string name) => Required(name, WireJsonKind.True, WireJsonKind.False).Kind == WireJsonKind.True;

    public bool Bool(string name, bool absent) => Optional(name, out var e, WireJsonKind.True, WireJsonKind.False) ? e.Kind == WireJsonKind.True : absent;

    public int Int(string name) => Int(name, Required(name, WireJsonKind.Number));

    public int Int(string name, int absent) => Optional(name, out var e, WireJsonKind.Number) ? Int(name, e) : absent;

    public int? NullableInt(string name) => NonNull(name, out var e, WireJsonKind.Number) ? Int(name, e) : null;

    public long Long(string name) => Long(name, Required(name, WireJsonKind.Number));

    public long? NullableLong(string name) => NonNull(name, out var e, WireJsonKind.Number) ? Long(name, e) : null;

    public double Double(string name) => Double(name, Required(name, WireJsonKind.Number, WireJsonKind.String));

    public double Double(string name, double absent) => Optional(name, out var e, WireJsonKind.Number, WireJsonKind.String) ? Double(name, e) : absent;

    public byte[] Bytes(string name) => Required(name, WireJsonKind.String).TryGetBytesFromBase64(out var bytes)
        ? bytes
        : throw Unreadable(name, "not base64");

    public DateTime DateTime(string name) => Required(name, WireJsonKind.String).TryGetDateTime(out var time)
        ? time
        : throw Unreadable(name, "not a date and time");

    public DateTime? NullableDateTime(string name) => !NonNull(name, out var e, WireJsonKind.String)
        ? null
        : e.TryGetDateTime(out var time) ? time : throw Unreadable(name, "not a date and time");

    public DateTimeOffset? NullableDateTimeOffset(string name) => !NonNull(name, out var e, WireJsonKind.String)
        ? null
        : e.TryGetDateTimeOffset(out var time) ? time : throw Unreadable(name, "not a date and time");

    public T Record<T>(string name, Func<JsonFields, T> read) => read(new JsonFields(Required(name, WireJsonKind.Object), $"{_record}.{name}"));

    public T? NullableRecord<T>(string name, Func<JsonFields, T> read)
        where T : class => NonNull(name, out var e, WireJsonKind.Object) ? read(new JsonFields(e, $"{_record}.{name}")) : null;

    public T[] Array<T>(string name, Func<JsonFields, T> read) => Items(Required(name, WireJsonKind.Array), $"{_record}.{name}[]", read);

    public T[] Array<T>(string name, Func<JsonFields, T> read, T[] absent) =>
        Optional(name, out var array, WireJsonKind.Array) ? Items(array, $"{_record}.{name}[]", read) : absent;

    public string[] Strings(string name)
    {
        var array = Required(name, WireJsonKind.Array);
        var items = new string[array.GetArrayLength()];
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            items[i++] = e.Kind == WireJsonKind.String ? e.GetString() : throw Unreadable(name, "holds something other than strings");
        }

        return items;
    }

    public int[] Ints(string name)
    {
        var array = Required(name, WireJsonKind.Array);
        var items = new int[array.GetArrayLength()];
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            items[i++] = e.Kind == WireJsonKind.Number ? Int(name, e) : throw Unreadable(name, "holds something other than numbers");
        }

        return items;
    }

    private static T[] Items<T>(WireJsonValue array, string record, Func<JsonFields, T> read)
    {
        var items = new T[array.GetArrayLength()];
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            items[i++] = read(new JsonFields(e, record));
        }

        return items;
    }

    private int Int(string name, WireJsonValue e) => e.TryGetInt32(out var value) ? value : throw Unreadable(name, "not a 32-bit integer");

    private long Long(string name, WireJsonValue e) => e.TryGetInt64(out var value) ? value : throw Unreadable(name, "not a 64-bit integer");

    /// <summary>A number, or NaN and the infinities as the strings JSON spells them with (rates may be either).</summary>
    private double Double(string name, WireJsonValue e)
    {
        if (e.Kind == WireJsonKind.Number)
        {
            return e.GetDouble();
        }

        return e.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => throw Unreadable(name, "not a number"),
        };
    }

    private WireJsonValue Required(string name, WireJsonKind kind, WireJsonKind other = WireJsonKind.Undefined) =>
        Optional(name, out var e, kind, other) ? e : throw Unreadable(name, "missing");

    /// <summary>Whether the field has a value: false when it is absent or JSON null.</summary>
    private bool NonNull(string name, out WireJsonValue value, WireJsonKind kind, WireJsonKind other = WireJsonKind.Undefined)
    {
        if (_object.TryGetProperty(name, out value) && value.Kind == WireJsonKind.Null)
        {
            return false;
        }

        return Optional(name, out value, kind, other);
    }

    private bool Optional(string name, out WireJsonValue value, WireJsonKind kind, WireJsonKind other = WireJsonKind.Undefined)
    {
        if (!_object.TryGetProperty(name, out value))
        {
            return false;
        }

        return value.Kind == kind || (other != WireJsonKind.Undefined && value.Kind == other)
            ? true
            : throw Unreadable(name, $"{value.Kind.ToString().ToLowerInvariant()} where {kind.ToString().ToLowerInvariant()} belongs");
    }

    private LocalWireException Unreadable(string name, string why) => new($"unreadable {_record}: {name} {why}");
}

