using System.Buffers.Text;
using System.Text;

namespace Swarm.Protocol.Trackers;

/// <summary>The head of one HTTP/1.x request to the tracker: what the tracker needs of it and nothing more.</summary>
/// <param name="Target">The request target as sent (path and query, still percent-encoded).</param>
/// <param name="KeepAlive">The client keeps the connection for another request (HTTP/1.1 unless `Connection: close`,
/// HTTP/1.0 only with `Connection: keep-alive`).</param>
/// <param name="HeadLength">Bytes of the head, its empty line included: where the next request starts.</param>
public sealed record TrackerHttpRequest(string Method, string Target, bool KeepAlive, int HeadLength)
{
    public string Path => Target.IndexOf('?') is var q and >= 0 ? Target[..q] : Target;

    /// <summary>The query with its '?' (empty when there is none), as <see cref="HttpTrackerServerCodec"/> reads it.</summary>
    public string Query => Target.IndexOf('?') is var q and >= 0 ? Target[q..] : string.Empty;
}

/// <summary>A request the tracker's HTTP server refuses before reading it: answered with this status and the message,
/// then the connection is closed.</summary>
public sealed class TrackerHttpException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>Reads HTTP/1.x request heads for the tracker's own server, within limits so that a hostile client costs a
/// bounded buffer: a head longer than <see cref="MaxHeadLength"/> (431, or 414 for the request line alone), more than
/// <see cref="MaxHeaders"/> header lines (431), a body (413: announce and scrape are GETs), chunked framing (501), an
/// HTTP version other than 1.0 and 1.1 (505) or anything malformed (400) is refused with one clear reason.</summary>
public static class TrackerHttpRequestParser
{
    /// <summary>The longest head read: the longest query accepted (<see cref="HttpTrackerServerCodec.MaxQueryLength"/>)
    /// and 4 KiB for the request line's rest and the headers (clients send a few hundred bytes).</summary>
    public const int MaxHeadLength = HttpTrackerServerCodec.MaxQueryLength + 4096;

    public const int MaxHeaders = 64;

    /// <summary>The request whose head <paramref name="received"/> starts with, or null while its end has not arrived
    /// (within the limits). Lines end in CRLF or a bare LF.</summary>
    /// <exception cref="TrackerHttpException">The request is refused.</exception>
    public static TrackerHttpRequest? TryParse(ReadOnlySpan<byte> received)
    {
        var firstEnd = received.IndexOf((byte)'\n');
        if (firstEnd < 0)
        {
            return received.Length >= MaxHeadLength
                ? throw new TrackerHttpException(414, $"request line longer than {MaxHeadLength} bytes")
                : null;
        }

        var headLength = HeadLength(received);
        if (headLength < 0)
        {
            return received.Length >= MaxHeadLength
                ? throw new TrackerHttpException(431, $"request head longer than {MaxHeadLength} bytes")
                : null;
        }

        if (headLength > MaxHeadLength)
        {
            throw new TrackerHttpException(431, $"request head longer than {MaxHeadLength} bytes");
        }

        var (method, target, http11) = RequestLine(Line(received[..firstEnd]));
        var keepAlive = http11;
        var headers = 0;
        var rest = received[(firstEnd + 1)..headLength];
        while (true)
        {
            var end = rest.IndexOf((byte)'\n');
            var line = Line(rest[..end]);
            rest = rest[(end + 1)..];
            if (line.IsEmpty)
            {
                break;
            }

            if (++headers > MaxHeaders)
            {
                throw new TrackerHttpException(431, $"more than {MaxHeaders} header lines");
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || line[0] is (byte)' ' or (byte)'\t' || line[..colon].ContainsAny((byte)' ', (byte)'\t'))
            {
                throw new TrackerHttpException(400, "malformed header line");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                keepAlive = HasToken(value, "close"u8) ? false : HasToken(value, "keep-alive"u8) || keepAlive;
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                throw new TrackerHttpException(501, "request bodies are not accepted (transfer-encoding)");
            }
            else if (Ascii.EqualsIgnoreCase(name, "content-length"u8)
                && !(Utf8Parser.TryParse(value, out long length, out var used) && used == value.Length && length == 0))
            {
                throw new TrackerHttpException(413, "request bodies are not accepted");
            }
        }

        return new TrackerHttpRequest(method, target, keepAlive, headLength);
    }

    /// <summary>Bytes up to and including the empty line ending the head, or -1 when it has not arrived.</summary>
    private static int HeadLength(ReadOnlySpan<byte> received)
    {
        var start = 0;
        while (true)
        {
            var end = received[start..].IndexOf((byte)'\n');
            if (end < 0)
            {
                return -1;
            }

            var line = received.Slice(start, end);
            start += end + 1;
            if (line.IsEmpty || (line.Length == 1 && line[0] == '\r'))
            {
                return start;
            }
        }
    }

    private static ReadOnlySpan<byte> Line(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == '\r' ? line[..^1] : line;

    private static (string Method, string Target, bool Http11) RequestLine(ReadOnlySpan<byte> line)
    {
        var firstSpace = line.IndexOf((byte)' ');
        var lastSpace = line.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace + 1)
        {
            throw new TrackerHttpException(400, "malformed request line");
        }

        var method = line[..firstSpace];
        var target = line[(firstSpace + 1)..lastSpace];
        var version = line[(lastSpace + 1)..];
        if (!version.StartsWith("HTTP/"u8))
        {
            throw new TrackerHttpException(400, "malformed request line");
        }

        var http11 = version.SequenceEqual("HTTP/1.1"u8);
        if (!http11 && !version.SequenceEqual("HTTP/1.0"u8))
        {
            throw new TrackerHttpException(505, "only HTTP/1.0 and HTTP/1.1 are served");
        }

        foreach (var b in method)
        {
            if (b is < (byte)'A' or > (byte)'Z')
            {
                throw new TrackerHttpException(400, "malformed request line");
            }
        }

        // Visible ASCII only: percent-encoding carries everything else, and a raw byte past 0x7e is not a URI.
        foreach (var b in target)
        {
            if (b is <= 0x20 or >= 0x7f)
            {
                throw new TrackerHttpException(400, "request target holds a character that must be percent-encoded");
            }
        }

        if (target[0] != '/')
        {
            throw new TrackerHttpException(400, "request target must be a path (origin form)");
        }

        return (Method(method), Encoding.ASCII.GetString(target), http11);
    }

    // The methods a tracker sees as constants: no string per request.
    private static string Method(ReadOnlySpan<byte> method) => method switch
    {
        _ when method.SequenceEqual("GET"u8) => "GET",
        _ when method.SequenceEqual("HEAD"u8) => "HEAD",
        _ when method.SequenceEqual("POST"u8) => "POST",
        _ => Encoding.ASCII.GetString(method),
    };

    private static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (var range in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[range].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }
}
