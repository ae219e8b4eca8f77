using System.Globalization;
using System.Text;

namespace Swarm.Protocol;

/// <summary>Makes untrusted text (names, keys from a hostile file) safe to put inside a one-line error message.</summary>
internal static class Printable
{
    public const int MaxLength = 200;

    /// <summary>Escapes control and line-separator characters and cuts very long text.</summary>
    public static string Escape(string text)
    {
        var cut = text.Length > MaxLength;
        var span = cut ? text.AsSpan(0, MaxLength) : text.AsSpan();
        if (!cut && !NeedsEscape(span))
        {
            return text;
        }

        var sb = new StringBuilder(span.Length + 8);
        foreach (var c in span)
        {
            switch (c)
            {
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                default:
                    if (IsUnsafe(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return cut ? sb.Append('…').ToString() : sb.ToString();
    }

    private static bool NeedsEscape(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (IsUnsafe(c))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
