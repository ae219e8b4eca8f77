using System.Collections.Immutable;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Catalog;

/// <summary>What the catalog knows of its started torrents and pending magnets beyond the journal: the name people call
/// each by, and what search matches. Built as torrents start (their metainfo parsed once), never journaled.</summary>
public sealed record CatalogIndex
{
    public static CatalogIndex Empty { get; } = new();

    private ImmutableDictionary<string, string> Names { get; init; } = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);

    private ImmutableDictionary<string, SearchEntry> Searchable { get; init; } = ImmutableDictionary.Create<string, SearchEntry>(StringComparer.Ordinal);

    public CatalogIndex WithTorrent(TorrentMetainfo meta) => this with
    {
        Names = Names.SetItem(meta.InfoHash.Hex, meta.Name),
        Searchable = Searchable.SetItem(
            meta.InfoHash.Hex,
            new SearchEntry(meta.Name, meta.TotalLength, [meta.Name.ToLowerInvariant(), .. meta.Files.Where(f => !f.IsPadding).Select(f => f.JoinedPath.ToLowerInvariant())])),
    };

    /// <summary>A magnet is named by its link's display name until its metadata comes; it is not searchable yet.</summary>
    public CatalogIndex WithMagnet(string infoHash, string name) => this with { Names = Names.SetItem(infoHash, name) };

    public CatalogIndex Without(string infoHash) => this with { Names = Names.Remove(infoHash), Searchable = Searchable.Remove(infoHash) };

    /// <summary>The torrent's name, or its info-hash when it has none yet (an entry that could not be started).</summary>
    public string NameOf(string infoHash) => Names.TryGetValue(infoHash, out var n) ? n : infoHash;

    /// <summary>The torrents whose name or file paths contain every word (case-insensitive); no words match nothing.</summary>
    public IReadOnlyList<CatalogHit> Search(IEnumerable<string> words)
    {
        var lower = words.Select(w => w.ToLowerInvariant()).Where(w => w.Length > 0).ToList();
        return lower.Count == 0
            ? []
            : [.. Searchable
                .Where(kv => lower.All(w => kv.Value.Text.Any(t => t.Contains(w, StringComparison.Ordinal))))
                .Select(kv => new CatalogHit(kv.Key, kv.Value.Name, kv.Value.Size, kv.Value.Text.Length - 1))];
    }

    /// <summary>What search matches: the name and every file path, lower-cased once.</summary>
    private sealed record SearchEntry(string Name, long Size, string[] Text);
}
