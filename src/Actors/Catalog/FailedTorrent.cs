using Swarm.Actors.Configuration;
using Swarm.Actors.Persistence;
using Swarm.Actors.Torrent;

namespace Swarm.Actors.Catalog;

/// <summary>What the catalog answers for a torrent whose actor kept failing and was stopped: state
/// <see cref="TorrentState.Failed"/> with the reason, and what its catalog entry knows (name, size, files, save path,
/// limits). Nothing runs for it, so no piece counts as verified, no peer and no tracker is shown.</summary>
public static class FailedTorrent
{
    /// <param name="cause">What it threw the last time.</param>
    public static TorrentDetails Details(TorrentAdded entry, Exception cause, CatalogSettings settings)
    {
        var meta = CatalogEntries.Metainfo(entry);
        var reason = $"{cause.GetType().Name}: {cause.Message} (failed {settings.MaxRestarts + 1} times within {settings.RestartWindow.TotalSeconds:0} s)";
        var status = new TorrentStatus(
            entry.InfoHash,
            meta.Name,
            TorrentState.Failed,
            reason,
            Path.Combine(entry.SavePath, meta.Name),
            meta.TotalLength,
            meta.PieceCount,
            0,
            0,
            0,
            0,
            0,
            0,
            [])
        {
            DownloadLimit = entry.DownloadLimit,
            UploadLimit = entry.UploadLimit,
            IsPrivate = meta.IsPrivate,
            IsReplica = entry.Replica,
        };
        return new TorrentDetails(
            status,
            meta.PieceLength,
            new byte[(meta.PieceCount + 7) / 8],
            [.. meta.Files.Where(f => !f.IsPadding).Select(f => new FileProgress(f.JoinedPath, f.Length, 0))],
            []);
    }
}
