using System.Globalization;

namespace Swarm.Protocol.WebSeeds;

/// <summary>What a web seed's answer to one range request means for us.</summary>
public enum WebSeedVerdict
{
    /// <summary>The asked bytes follow, exactly that many.</summary>
    Body,

    /// <summary>Follow the Location (the caller caps the hops and refuses other schemes).</summary>
    Redirect,

    /// <summary>404 or 410: the server does not have the file (now); back off.</summary>
    Missing,

    /// <summary>An answer we cannot use (wrong length, wrong range, ignored Range, server error): back off.</summary>
    Unusable,
}

/// <summary>Judges a web seed's status line and headers against the range asked for, before any body is read: a
/// server that would send other bytes than those asked for (a lying Content-Length or Content-Range, or the whole
/// file for a part of it) is caught here rather than after a failed hash check.</summary>
public static class WebSeedResponse
{
    /// <param name="contentRange">The Content-Range header as sent (null when absent).</param>
    /// <param name="contentLength">The Content-Length header (null when absent or chunked).</param>
    /// <param name="asked">The range requested.</param>
    /// <param name="fileLength">The file's length in the torrent (a 200 answer is the whole file).</param>
    public static (WebSeedVerdict Verdict, string? Reason) Judge(int status, string? contentRange, long? contentLength, FileRange asked, long fileLength)
    {
        switch (status)
        {
            case 301 or 302 or 303 or 307 or 308:
                return (WebSeedVerdict.Redirect, null);
            case 404 or 410:
                return (WebSeedVerdict.Missing, $"HTTP {status}: the server does not have the file");
            case 200:
                // Range ignored: usable only when the whole file is what we asked for.
                if (asked.FileOffset != 0 || asked.Length != fileLength)
                {
                    return (WebSeedVerdict.Unusable, "HTTP 200 to a range request: the server ignores Range");
                }

                return contentLength is { } whole && whole != fileLength
                    ? (WebSeedVerdict.Unusable, $"Content-Length {whole}, but the file is {fileLength} bytes")
                    : (WebSeedVerdict.Body, null);
            case 206:
                if (contentLength is { } length && length != asked.Length)
                {
                    return (WebSeedVerdict.Unusable, $"Content-Length {length} for a range of {asked.Length} bytes");
                }

                if (ParseContentRange(contentRange) is not { } range)
                {
                    return (WebSeedVerdict.Unusable, contentRange is null ? "HTTP 206 without Content-Range" : $"Content-Range '{Printable.Escape(contentRange)}' is not 'bytes FIRST-LAST/TOTAL'");
                }

                if (range.First != asked.FileOffset || range.Last != asked.FileOffset + asked.Length - 1)
                {
                    return (WebSeedVerdict.Unusable, $"Content-Range {range.First}-{range.Last} for a request of {asked.FileOffset}-{asked.FileOffset + asked.Length - 1}");
                }

                return range.Total is { } total && total != fileLength
                    ? (WebSeedVerdict.Unusable, $"the server's file is {total} bytes, the torrent's {fileLength}")
                    : (WebSeedVerdict.Body, null);
            case 416:
                return (WebSeedVerdict.Unusable, "HTTP 416: the server's file is shorter than the torrent's");
            default:
                return (WebSeedVerdict.Unusable, $"HTTP {status}");
        }
    }

    /// <summary>RFC 9110's `bytes FIRST-LAST/TOTAL` (TOTAL may be `*`), or null when it is anything else.</summary>
    public static (long First, long Last, long? Total)? ParseContentRange(string? header)
    {
        if (header is null)
        {
            return null;
        }

        var h = header.Trim();
        if (!h.StartsWith("bytes ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = h[6..].Trim();
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var dash = rest.IndexOf('-', StringComparison.Ordinal);
        if (slash < 0 || dash < 0 || dash > slash)
        {
            return null;
        }

        if (!long.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !long.TryParse(rest[(dash + 1)..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || last < first)
        {
            return null;
        }

        var totalText = rest[(slash + 1)..];
        if (totalText == "*")
        {
            return (first, last, null);
        }

        return long.TryParse(totalText, NumberStyles.None, CultureInfo.InvariantCulture, out var total) && total > last
            ? (first, last, total)
            : null;
    }

    /// <summary>Where a redirect leads, or why it is not followed: only within the seed's own scheme (an http seed
    /// sent to https or ftp, or the reverse, is refused), and never to a URL already visited (a loop).</summary>
    public static (Uri? Target, string? Refusal) Redirect(Uri current, string? location, IReadOnlyCollection<Uri> visited, int maxRedirects)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            return (null, "a redirect without a Location");
        }

        if (!Uri.TryCreate(current, location.Trim(), out var target))
        {
            return (null, $"a redirect to an invalid URL '{Printable.Escape(location)}'");
        }

        if (!string.Equals(target.Scheme, current.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return (null, $"a redirect from {current.Scheme} to another scheme ({target.Scheme}) is refused");
        }

        if (visited.Contains(target))
        {
            return (null, $"a redirect loop back to {target}");
        }

        return visited.Count > maxRedirects
            ? (null, $"more than {maxRedirects} redirects")
            : (target, null);
    }
}
