using System.Text.Json;

namespace Swarm.Node.ConsoleClient;

/// <summary>The fields of one JSON object of the local console wire, read by name and kind: a missing field or one of
/// the wrong kind is a <see cref="LocalWireException"/> naming the record and the field, never a default the node
/// would then act on. Fields that a record declares with an initializer (added to the protocol later) may be absent
/// and keep their default, so a console and a node one version apart still understand each other.</summary>
internal readonly struct JsonFields
{
    private readonly JsonElement _object;
    private readonly string _record;

    public JsonFields(JsonElement value, string record)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new LocalWireException($"unreadable {record}: not a JSON object");
        }

        _object = value;
        _record = record;
    }

    public string String(string name) => Required(name, JsonValueKind.String).GetString()!;

    public string? NullableString(string name) => NonNull(name, out var e, JsonValueKind.String) ? e.GetString() : null;

    public string String(string name, string absent) => Optional(name, out var e, JsonValueKind.String) ? e.GetString()! : absent;

    public bool Bool(string name) => Required(name, JsonValueKind.True, JsonValueKind.False).GetBoolean();

    public bool Bool(string name, bool absent) => Optional(name, out var e, JsonValueKind.True, JsonValueKind.False) ? e.GetBoolean() : absent;

    public int Int(string name) => Int(name, Required(name, JsonValueKind.Number));

    public int Int(string name, int absent) => Optional(name, out var e, JsonValueKind.Number) ? Int(name, e) : absent;

    public int? NullableInt(string name) => NonNull(name, out var e, JsonValueKind.Number) ? Int(name, e) : null;

    public long Long(string name) => Long(name, Required(name, JsonValueKind.Number));

    public long? NullableLong(string name) => NonNull(name, out var e, JsonValueKind.Number) ? Long(name, e) : null;

    public double Double(string name) => Double(name, Required(name, JsonValueKind.Number, JsonValueKind.String));

    public double Double(string name, double absent) => Optional(name, out var e, JsonValueKind.Number, JsonValueKind.String) ? Double(name, e) : absent;

    public byte[] Bytes(string name) => Required(name, JsonValueKind.String).TryGetBytesFromBase64(out var bytes)
        ? bytes
        : throw Unreadable(name, "not base64");

    public DateTime DateTime(string name) => Required(name, JsonValueKind.String).TryGetDateTime(out var time)
        ? time
        : throw Unreadable(name, "not a date and time");

    public DateTime? NullableDateTime(string name) => !NonNull(name, out var e, JsonValueKind.String)
        ? null
        : e.TryGetDateTime(out var time) ? time : throw Unreadable(name, "not a date and time");

    public DateTimeOffset? NullableDateTimeOffset(string name) => !NonNull(name, out var e, JsonValueKind.String)
        ? null
        : e.TryGetDateTimeOffset(out var time) ? time : throw Unreadable(name, "not a date and time");

    public T Record<T>(string name, Func<JsonFields, T> read) => read(new JsonFields(Required(name, JsonValueKind.Object), $"{_record}.{name}"));

    public T? NullableRecord<T>(string name, Func<JsonFields, T> read)
        where T : class => NonNull(name, out var e, JsonValueKind.Object) ? read(new JsonFields(e, $"{_record}.{name}")) : null;

    public T[] Array<T>(string name, Func<JsonFields, T> read) => Items(Required(name, JsonValueKind.Array), $"{_record}.{name}[]", read);

    public T[] Array<T>(string name, Func<JsonFields, T> read, T[] absent) =>
        Optional(name, out var array, JsonValueKind.Array) ? Items(array, $"{_record}.{name}[]", read) : absent;

    public string[] Strings(string name)
    {
        var array = Required(name, JsonValueKind.Array);
        var items = new string[array.GetArrayLength()];
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            items[i++] = e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Unreadable(name, "holds something other than strings");
        }

        return items;
    }

    public int[] Ints(string name)
    {
        var array = Required(name, JsonValueKind.Array);
        var items = new int[array.GetArrayLength()];
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            items[i++] = e.ValueKind == JsonValueKind.Number ? Int(name, e) : throw Unreadable(name, "holds something other than numbers");
        }

        return items;
    }

    private static T[] Items<T>(JsonElement array, string record, Func<JsonFields, T> read)
    {
        var items = new T[array.GetArrayLength()];
        var i = 0;
        foreach (var e in array.EnumerateArray())
        {
            items[i++] = read(new JsonFields(e, record));
        }

        return items;
    }

    private int Int(string name, JsonElement e) => e.TryGetInt32(out var value) ? value : throw Unreadable(name, "not a 32-bit integer");

    private long Long(string name, JsonElement e) => e.TryGetInt64(out var value) ? value : throw Unreadable(name, "not a 64-bit integer");

    /// <summary>A number, or NaN and the infinities as the strings JSON spells them with (rates may be either).</summary>
    private double Double(string name, JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.Number)
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

    private JsonElement Required(string name, JsonValueKind kind, JsonValueKind other = JsonValueKind.Undefined) =>
        Optional(name, out var e, kind, other) ? e : throw Unreadable(name, "missing");

    // (bool, out) rather than JsonElement?: Nullable<JsonElement> is an instantiation ReadyToRun cannot precompile here.

    /// <summary>Whether the field has a value: false when it is absent or JSON null.</summary>
    private bool NonNull(string name, out JsonElement value, JsonValueKind kind, JsonValueKind other = JsonValueKind.Undefined)
    {
        if (_object.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        return Optional(name, out value, kind, other);
    }

    private bool Optional(string name, out JsonElement value, JsonValueKind kind, JsonValueKind other = JsonValueKind.Undefined)
    {
        if (!_object.TryGetProperty(name, out value))
        {
            return false;
        }

        return value.ValueKind == kind || (other != JsonValueKind.Undefined && value.ValueKind == other)
            ? true
            : throw Unreadable(name, $"{value.ValueKind.ToString().ToLowerInvariant()} where {kind.ToString().ToLowerInvariant()} belongs");
    }

    private LocalWireException Unreadable(string name, string why) => new($"unreadable {_record}: {name} {why}");
}

/// <summary>Writing the local console wire's fields the way <see cref="JsonFields"/> reads them.</summary>
internal static class JsonFieldWriter
{
    /// <summary>Rates may be NaN or infinite, which JSON numbers cannot hold: those go as "NaN", "Infinity", "-Infinity".</summary>
    public static void WriteDouble(this Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    public static void WriteNullableString(this Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    public static void WriteNullableNumber(this Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void WriteNullableDateTime(this Utf8JsonWriter w, string name, DateTime? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void WriteNullableDateTimeOffset(this Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void WriteStrings(this Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    public static void WriteInts(this Utf8JsonWriter w, string name, IEnumerable<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    /// <summary>An object field (null when <paramref name="value"/> is).</summary>
    public static void WriteRecord<T>(this Utf8JsonWriter w, string name, T? value, Action<Utf8JsonWriter, T> write)
        where T : class
    {
        if (value is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        write(w, value);
        w.WriteEndObject();
    }

    public static void WriteRecords<T>(this Utf8JsonWriter w, string name, IEnumerable<T> values, Action<Utf8JsonWriter, T> write)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStartObject();
            write(w, v);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
