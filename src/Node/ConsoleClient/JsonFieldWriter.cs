using System.Text.Json;

namespace Swarm.Node.ConsoleClient;

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
