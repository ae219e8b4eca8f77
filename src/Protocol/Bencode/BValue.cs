using System.Text;

namespace Swarm.Protocol.Bencode;

/// <summary>A decoded bencode value. <see cref="SourceOffset"/>/<see cref="SourceLength"/> locate the
/// value's original bytes so that the info-hash is taken over exactly what the file held.</summary>
public abstract record BValue
{
    public int SourceOffset { get; init; } = -1;
    public int SourceLength { get; init; }
}

public sealed record BInteger(long Value) : BValue;

public sealed record BString(byte[] Bytes) : BValue
{
    public BString(string text) : this(Encoding.UTF8.GetBytes(text)) { }

    public string Text => Encoding.UTF8.GetString(Bytes);

    public override string ToString() => Text;
}

public sealed record BList(IReadOnlyList<BValue> Items) : BValue;

/// <summary>Keys are raw byte strings held as Latin-1 strings: a 1:1 mapping of bytes to chars,
/// so ordinal string order is the byte order that bencode requires.</summary>
public sealed record BDictionary(IReadOnlyDictionary<string, BValue> Entries) : BValue
{
    public BValue? this[string key] => Entries.TryGetValue(key, out var v) ? v : null;

    public static string KeyOf(ReadOnlySpan<byte> raw) => Encoding.Latin1.GetString(raw);

    public static BDictionary From(params (string Key, BValue? Value)[] entries)
    {
        var d = new Dictionary<string, BValue>(StringComparer.Ordinal);
        foreach (var (k, v) in entries)
        {
            if (v is not null)
            {
                d[k] = v;
            }
        }

        return new BDictionary(d);
    }
}
