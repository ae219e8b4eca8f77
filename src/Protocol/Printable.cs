using System.Globalization;
using System.Text;

namespace Swarm.Protocol;

/// <summary>Makes untrusted text (names, paths, comments and keys from a hostile file or peer) safe to print: no
/// control character, line separator or writing-direction override reaches a terminal or a log line raw.</summary>
public static class Printable
{
    public const int MaxLength = 200;

    /// <summary>For a one-line error message: escapes as <see cref="ForTerminal"/> does and cuts very long text.</summary>
    public static string Escape(string text)
    {
        var cut = text.Length > MaxLength;
        var span = cut ? text.AsSpan(0, MaxLength) : text.AsSpan();
        if (!cut && !NeedsEscape(span))
        {
            return text;
        }

        var escaped = EscapeAll(span);
        return cut ? escaped + "…" : escaped;
    }

    /// <summary>For names and paths shown whole (torrent info, progress, file lists, logs): C0 and C1 control
    /// characters (ESC and CSI start terminal sequences), DEL, U+2028/U+2029 and the bidirectional controls
    /// become visible escapes such as \u001b; everything else, however long, is kept.</summary>
    public static string ForTerminal(string text) => NeedsEscape(text) ? EscapeAll(text) : text;

    private static string EscapeAll(ReadOnlySpan<char> span)
    {
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

        return sb.ToString();
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

    /// <summary>char.IsControl covers C0, DEL and C1; the rest are line separators and the bidirectional controls
    /// (embeddings, overrides, isolates, marks) that reorder what a terminal shows.</summary>
    private static bool IsUnsafe(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') or '\u200e' or '\u200f' or '\u061c';
}
