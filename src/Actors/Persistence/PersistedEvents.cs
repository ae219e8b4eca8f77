namespace Swarm.Actors.Persistence;

/// <summary>Marker for everything written to the journal or snapshot store. Bound in hocon to
/// <see cref="PersistedEventSerializer"/>, whose manifests stay stable across renames and refactors.</summary>
public interface IPersistedEvent;

/// <summary>A torrent joined the node's catalog. <paramref name="Generation"/> names its journal, so a torrent removed
/// and added again starts from a clean history.</summary>
public sealed record TorrentAdded(
    string InfoHash,
    string Generation,
    byte[] InfoDictionary,
    string[][] Trackers,
    string SavePath,
    bool Sequential,
    bool SeedOnly) : IPersistedEvent
{
    /// <summary>Limits set from the console (bytes per second, 0 = none); carried here so the catalog snapshot keeps them.</summary>
    public long DownloadLimit { get; init; }

    public long UploadLimit { get; init; }

    /// <summary>Added by the cluster to keep the replication factor (false in rows written before replicas were marked:
    /// such copies are kept).</summary>
    public bool Replica { get; init; }

    /// <summary>BitTorrent v2 (BEP 52): the bencoded `piece layers` of a v2 or hybrid torrent, which live beside the info
    /// dictionary and are needed to verify a v2-only torrent's pieces; null for v1 (and in rows written before v2).</summary>
    public byte[]? PieceLayers { get; init; }

    /// <summary>Issue 17: the torrent's BEP 19 web seeds (its `url-list`, outside the info dictionary, so kept here
    /// like the trackers; empty in rows written before web seeds).</summary>
    public string[] WebSeeds { get; init; } = [];
}

/// <summary>Rate limits changed from the console: for one torrent, or node-wide when <paramref name="InfoHash"/> is null.</summary>
public sealed record RateLimitsChanged(string? InfoHash, long DownloadLimit, long UploadLimit) : IPersistedEvent;

/// <summary>A torrent left the catalog, or a pending magnet link was removed before its metadata came.</summary>
public sealed record TorrentRemoved(string InfoHash) : IPersistedEvent;

/// <summary>A magnet link added to a running node, whose metadata is still to be fetched: journaled so that a restart
/// goes on fetching it. Superseded by the <see cref="TorrentAdded"/> written once the metadata arrives.</summary>
public sealed record MagnetAdded(string InfoHash, string Link, string SavePath) : IPersistedEvent;

/// <summary>Pieces whose data was written (and, by default, flushed to disk) before this event was journaled.</summary>
public sealed record PiecesVerified(int[] Pieces) : IPersistedEvent;

/// <summary>A full re-check hashed everything on disk: <paramref name="Verified"/> replaces what was known.</summary>
public sealed record PiecesRechecked(int[] Verified) : IPersistedEvent;

public sealed record TorrentPaused(string? Reason) : IPersistedEvent;

public sealed record TorrentResumed : IPersistedEvent;

/// <summary>A torrent's state in one row, so recovery replays at most <c>snapshot-every</c> events.</summary>
public sealed record TorrentSnapshot(int PieceCount, byte[] Verified, bool Paused, string? PauseReason) : IPersistedEvent
{
    /// <summary>Indices of the files the torrent created (null in snapshots written before they were recorded).</summary>
    public int[]? CreatedFiles { get; init; }

    /// <summary>Folders the torrent created, relative to its save folder, '/'-separated.</summary>
    public string[]? CreatedFolders { get; init; }
}

/// <summary>The torrent created these files (indices into its metainfo's file list, links included) and folders
/// (relative to its save folder, '/'-separated) on first writing them: `remove --delete-data` deletes only what such
/// rows name, never a file that was there before.</summary>
public sealed record TorrentFilesCreated(int[] Files, string[] Folders) : IPersistedEvent;

public sealed record CatalogSnapshot(TorrentAdded[] Torrents) : IPersistedEvent
{
    /// <summary>Node-wide limits last set from the console (null = never: hocon's apply).</summary>
    public RateLimitsChanged? NodeLimits { get; init; }

    /// <summary>Magnet links still waiting for their metadata (null in snapshots written before magnets were kept).</summary>
    public MagnetAdded[]? Magnets { get; init; }
}
