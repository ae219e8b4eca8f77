using System.Text;

namespace Swarm.Protocol.Metainfo;

/// <summary>Turns one raw path element of a torrent (a name, a path component) into a safe file name exactly as
/// libtorrent 2.0 does on Linux (sanitize_append_path_element), so that files land where libtorrent puts them.
/// The result is valid UTF-8 with no '/', '\', NUL or control character, never "." or "..", and about 250 bytes
/// at most.</summary>
public static class PathSanitizer
{
    /// <summary>libtorrent starts looking for an extension to keep once this many bytes are written.</summary>
    private const int ShortenAt = 240;

    /// <summary>How far from the end of an element libtorrent looks for the dot of an extension.</summary>
    private const int ExtensionSearch = 10;

    private const int MaxCodePoint = 0x10ffff;

    /// <summary>The element as a file name, or null when libtorrent drops it ("", ".", "..", or what is left after
    /// dropping separators, NULs and direction overrides is at most two dots). An empty element becomes "_".</summary>
    public static string? Element(ReadOnlySpan<byte> element)
    {
        if (element.Length == 1 && element[0] == (byte)'.')
        {
            return null;
        }

        if (element.IsEmpty)
        {
            return "_";
        }

        var output = new List<byte>(Math.Min(element.Length, 256));
        var added = 0;
        var dots = 0;
        var foundExtension = false;
        int length;
        for (var i = 0; i < element.Length; i += length)
        {
            (var codePoint, length) = ParseCodePoint(element[i..]);
            if (codePoint >= 0 && IsDropped(codePoint))
            {
                continue;
            }

            if (codePoint < 0 || codePoint < 32)
            {
                // Invalid UTF-8 or a control character: one '_' for the whole sequence.
                output.Add((byte)'_');
                added++;
                continue;
            }

            for (var k = i; k < i + length; k++)
            {
                output.Add(element[k]);
            }

            if (codePoint == '.')
            {
                dots++;
            }

            added += length;
            if (added >= ShortenAt && !foundExtension)
            {
                // Too long: keep what is written plus the extension, if a dot sits near the end.
                var dot = -1;
                for (var j = element.Length - 1; j > Math.Max(element.Length - ExtensionSearch, i); j--)
                {
                    if (element[j] == (byte)'.')
                    {
                        dot = j;
                        break;
                    }
                }

                if (dot == -1)
                {
                    break;
                }

                foundExtension = true;
                i = dot - length;
            }
        }

        if (added == dots && added <= 2)
        {
            return null;
        }

        return Encoding.UTF8.GetString([.. output]);
    }

    /// <summary>Dropped without a trace: separators, NUL (libtorrent's strchr also matches the terminator) and the
    /// code points that reverse the writing direction (a name that reads "txt.exe" as "exe.txt").</summary>
    private static bool IsDropped(int codePoint) =>
        codePoint is '/' or '\\' or 0 or 0x202a or 0x202b or 0x202c or 0x202d or 0x202e or 0x200e or 0x200f;

    /// <summary>libtorrent's parse_utf8_codepoint: the code point at the start (-1 when invalid) and how many bytes
    /// it takes, including how many an invalid sequence skips.</summary>
    private static (int CodePoint, int Length) ParseCodePoint(ReadOnlySpan<byte> s)
    {
        var b = s[0];
        var length = b switch
        {
            < 0b1000_0000 => 1,
            _ when b >> 5 == 0b110 => 2,
            _ when b >> 4 == 0b1110 => 3,
            _ when b >> 3 == 0b11110 => 4,
            _ when b >> 2 == 0b111110 => 5,
            _ => 0,
        };
        if (length == 1)
        {
            return (b, 1);
        }

        if (length == 0)
        {
            return (-1, 1);
        }

        if (length > 4)
        {
            return (-1, length);
        }

        if (length > s.Length)
        {
            return (-1, s.Length);
        }

        var codePoint = length switch
        {
            2 => b & 0b0001_1111,
            3 => b & 0b0000_1111,
            _ => b & 0b0000_0111,
        };
        for (var i = 1; i < length; i++)
        {
            if ((s[i] & 0b1100_0000) != 0b1000_0000)
            {
                return (-1, length);
            }

            codePoint = (codePoint << 6) + (s[i] & 0b0011_1111);
        }

        var overlong = length switch
        {
            2 => codePoint < 0x80,
            3 => codePoint < 0x800,
            _ => codePoint < 0x10000,
        };
        if (overlong || codePoint > MaxCodePoint || codePoint is >= 0xd800 and <= 0xdfff)
        {
            return (-1, length);
        }

        return (codePoint, length);
    }
}
