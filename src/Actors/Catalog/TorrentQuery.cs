namespace Swarm.Actors.Catalog;

/// <summary>How a person names a torrent in the console: a full info-hash or any prefix of it (case-insensitive), or its
/// exact name. One rule for the node's own torrents and for the cluster's.</summary>
public static class TorrentQuery
{
    /// <summary>The single torrent <paramref name="query"/> names among <paramref name="torrents"/> (hash → name), or
    /// why there is none: nothing matches, or several do (the first five listed).</summary>
    /// <param name="scope">Said in "no torrent{scope} matches", e.g. " of the cluster".</param>
    public static (string InfoHash, string Name)? Find(IEnumerable<(string InfoHash, string Name)> torrents, string query, string scope, out string? error)
    {
        var q = query.Trim();
        if (q.Length == 0)
        {
            error = "no torrent given";
            return null;
        }

        var isHex = q.All(Uri.IsHexDigit);
        var matches = torrents
            .Where(t => (isHex && t.InfoHash.StartsWith(q, StringComparison.OrdinalIgnoreCase)) || string.Equals(t.Name, q, StringComparison.OrdinalIgnoreCase))
            .Distinct()
            .OrderBy(t => t.InfoHash, StringComparer.Ordinal)
            .ToList();
        error = matches.Count switch
        {
            1 => null,
            0 => $"no torrent{scope} matches '{q}'",
            _ => $"'{q}' is ambiguous: it matches {string.Join(", ", matches.Take(5).Select(t => $"{t.InfoHash[..8]} ({t.Name})"))}{(matches.Count > 5 ? $" and {matches.Count - 5} more" : string.Empty)}",
        };
        return error is null ? matches[0] : null;
    }
}
