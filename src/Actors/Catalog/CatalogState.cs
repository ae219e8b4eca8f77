using System.Collections.Immutable;
using Swarm.Actors.Persistence;

namespace Swarm.Actors.Catalog;

/// <summary>The catalog as its journal tells it: the torrents with their save paths and settings, the magnet links still
/// waiting for their metadata, and the node's limits. Recovery and every live <c>Persist</c> callback go through the one
/// <see cref="Apply"/>, so what a restart replays is what was decided before it.</summary>
public sealed record CatalogState
{
    public static CatalogState Empty { get; } = new();

    public ImmutableDictionary<string, TorrentAdded> Torrents { get; init; } = ImmutableDictionary.Create<string, TorrentAdded>(StringComparer.Ordinal);

    public ImmutableDictionary<string, MagnetAdded> Magnets { get; init; } = ImmutableDictionary.Create<string, MagnetAdded>(StringComparer.Ordinal);

    /// <summary>Node-wide limits last set from the console; null = never (hocon's apply).</summary>
    public RateLimitsChanged? NodeLimits { get; init; }

    public CatalogState Apply(IPersistedEvent e) => e switch
    {
        // Its metadata came, or its .torrent file was added meanwhile: either way a pending magnet is done.
        TorrentAdded a => this with { Torrents = Torrents.SetItem(a.InfoHash, a), Magnets = Magnets.Remove(a.InfoHash) },
        MagnetAdded m => this with { Magnets = Magnets.SetItem(m.InfoHash, m) },
        TorrentRemoved r => this with { Torrents = Torrents.Remove(r.InfoHash), Magnets = Magnets.Remove(r.InfoHash) },
        RateLimitsChanged { InfoHash: null } l => this with { NodeLimits = l },
        RateLimitsChanged l => Torrents.TryGetValue(l.InfoHash, out var t)
            ? this with { Torrents = Torrents.SetItem(l.InfoHash, t with { DownloadLimit = l.DownloadLimit, UploadLimit = l.UploadLimit }) }
            : this,
        _ => throw new ArgumentException($"{e.GetType().Name} is not a catalog event", nameof(e)),
    };

    /// <summary>When a snapshot is written after <paramref name="e"/>, journaled as row <paramref name="sequenceNr"/>:
    /// every <paramref name="every"/> rows, which bounds recovery; and after every removal, so that the rows holding a
    /// removed torrent's metainfo are deleted at once.</summary>
    public static bool SnapshotDue(IPersistedEvent e, long sequenceNr, int every) =>
        e is TorrentRemoved || sequenceNr % every == 0;

    /// <summary>The state a replay of <paramref name="history"/> (the latest snapshot, if any, then the events after it,
    /// as <see cref="Persistence.PrefetchedJournal"/> holds them) builds: what the catalog's own recovery would.</summary>
    public static CatalogState Replay(IEnumerable<IPersistedEvent> history) =>
        history.Aggregate(Empty, (state, e) => e is CatalogSnapshot s ? From(s) : state.Apply(e));

    public bool Knows(string infoHash) => Torrents.ContainsKey(infoHash) || Magnets.ContainsKey(infoHash);

    public CatalogSnapshot ToSnapshot() => new([.. Torrents.Values]) { NodeLimits = NodeLimits, Magnets = [.. Magnets.Values] };

    /// <summary>A snapshot read back; one written before magnets were kept has none.</summary>
    public static CatalogState From(CatalogSnapshot s) => Empty with
    {
        Torrents = Empty.Torrents.SetItems(s.Torrents.Select(t => KeyValuePair.Create(t.InfoHash, t))),
        Magnets = Empty.Magnets.SetItems((s.Magnets ?? []).Select(m => KeyValuePair.Create(m.InfoHash, m))),
        NodeLimits = s.NodeLimits,
    };
}
