using System.Globalization;
using System.Text;

namespace Swarm.Node.ConsoleClient;

/// <summary>Writes the local console wire's requests (see <see cref="WireJson"/>): compact JSON, UTF-8, only the
/// characters JSON requires escaped.</summary>
internal sealed class WireJsonWriter
{
    private readonly StringBuilder _text = new();
    private bool _comma;

    public byte[] ToUtf8() => Encoding.UTF8.GetBytes(_text.ToString());

    public void WriteStartObject() => Open('{', null);

    public void WriteStartObject(string name) => Open('{', name);

    public void WriteEndObject() => Close('}');

    public void WriteStartArray(string name) => Open('[', name);

    public void WriteEndArray() => Close(']');

    public void WriteString(string name, string value)
    {
        Name(name);
        Quoted(value);
    }

    public void WriteStringValue(string value)
    {
        Separate();
        Quoted(value);
    }

    public void WriteNullableString(string name, string? value)
    {
        if (value is null)
        {
            WriteNull(name);
        }
        else
        {
            WriteString(name, value);
        }
    }

    public void WriteBase64String(string name, byte[] value)
    {
        Name(name);
        _text.Append('"').Append(Convert.ToBase64String(value)).Append('"');
    }

    public void WriteBoolean(string name, bool value)
    {
        Name(name);
        _text.Append(value ? "true" : "false");
    }

    public void WriteNumber(string name, long value)
    {
        Name(name);
        _text.Append(value.ToString(CultureInfo.InvariantCulture));
    }

    public void WriteNullableNumber(string name, long? value)
    {
        if (value is { } v)
        {
            WriteNumber(name, v);
        }
        else
        {
            WriteNull(name);
        }
    }

    public void WriteNull(string name)
    {
        Name(name);
        _text.Append("null");
    }

    public void WriteStrings(string name, IEnumerable<string> values)
    {
        WriteStartArray(name);
        foreach (var v in values)
        {
            WriteStringValue(v);
        }

        WriteEndArray();
    }

    private void Open(char bracket, string? name)
    {
        if (name is null)
        {
            Separate();
        }
        else
        {
            Name(name);
        }

        _text.Append(bracket);
        _comma = false;
    }

    private void Close(char bracket)
    {
        _text.Append(bracket);
        _comma = true;
    }

    private void Name(string name)
    {
        Separate();
        Quoted(name);
        _text.Append(':');
    }

    private void Separate()
    {
        if (_comma)
        {
            _text.Append(',');
        }

        _comma = true;
    }

    private void Quoted(string value)
    {
        _text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    _text.Append("\\\"");
                    break;
                case '\\':
                    _text.Append("\\\\");
                    break;
                case < ' ':
                    _text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
                default:
                    _text.Append(c);
                    break;
            }
        }

        _text.Append('"');
    }
}
