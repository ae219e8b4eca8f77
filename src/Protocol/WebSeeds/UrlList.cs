using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.WebSeeds;

/// <summary>Reads a torrent's BEP 19 `url-list` (one string, or a list of strings) into the web seeds we will fetch
/// from: absolute http and https URLs only, each at most <see cref="MaxUrlLength"/> characters, the first
/// <see cref="MaxSeeds"/> distinct ones. A bad entry is dropped with its reason; it never refuses the torrent
/// (libtorrent also loads torrents whose url-list it cannot use).</summary>
public static class UrlList
{
    /// <summary>A torrent lists a handful of mirrors; each seed is an actor and HTTP connections, so a list of
    /// thousands (hostile or careless) is cut here.</summary>
    public const int MaxSeeds = 32;

    /// <summary>Browsers and servers commonly stop near 8 KB; a mirror root is far shorter.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>The usable seeds, and one line per dropped entry saying why.</summary>
    public sealed record Result(IReadOnlyList<string> Seeds, IReadOnlyList<string> Dropped);

    public static Result Read(BValue? value)
    {
        var entries = value switch
        {
            null => [],
            BString s => [s],
            BList l => l.Items,
            _ => null,
        };
        if (entries is null)
        {
            return new Result([], ["'url-list' is neither a string nor a list"]);
        }

        var seeds = new List<string>();
        var dropped = new List<string>();
        foreach (var entry in entries)
        {
            if (entry is not BString s)
            {
                dropped.Add("an entry of 'url-list' is not a string");
                continue;
            }

            var url = s.Text.Trim();
            if (url.Length == 0)
            {
                continue; // mktorrent and others write an empty url-list for "none"
            }

            var reason = Check(url);
            if (reason is null && seeds.Count >= MaxSeeds)
            {
                reason = $"more than {MaxSeeds} web seeds";
            }
            else if (reason is null && seeds.Contains(url, StringComparer.Ordinal))
            {
                reason = "listed twice";
            }

            if (reason is null)
            {
                seeds.Add(url);
            }
            else
            {
                dropped.Add($"web seed '{Printable.Escape(url.Length > 80 ? url[..80] + "…" : url)}' dropped: {reason}");
            }
        }

        return new Result(seeds, dropped);
    }

    /// <summary>Why <paramref name="url"/> cannot be a web seed, or null when it can.</summary>
    public static string? Check(string url)
    {
        if (url.Length > MaxUrlLength)
        {
            return $"longer than {MaxUrlLength} characters";
        }

        if (url.Any(char.IsControl) || url.Contains(' ', StringComparison.Ordinal))
        {
            return "holds spaces or control characters";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "not an absolute URL";
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return $"scheme '{uri.Scheme}' is not http or https";
        }

        if (uri.Host.Length == 0)
        {
            return "no host";
        }

        return uri.Fragment.Length > 0 ? "holds a fragment" : null;
    }
}
