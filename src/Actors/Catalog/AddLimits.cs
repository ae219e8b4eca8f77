using Swarm.Actors.Configuration;
using Swarm.Actors.Storage;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Catalog;

/// <summary>The disk rules an add must pass before it is journaled (hocon <c>swarm.files</c>): a bounded number of
/// files, and room on the disk for the bytes not already there. Each refusal is one line a person can act on.</summary>
public sealed record AddLimits(FilesSettings Settings)
{
    /// <summary>Null when the torrent's file count is within the cap.</summary>
    public string? FileCountRefusal(TorrentMetainfo meta)
    {
        var files = meta.Files.Count(f => !f.IsPadding);
        return files > Settings.MaxFilesPerTorrent
            ? $"torrent {meta.InfoHash.Hex[..8]} ({meta.Name}) has {files:N0} files, more than this node allows per torrent ({Settings.MaxFilesPerTorrent:N0}, swarm.files.max-files-per-torrent)"
            : null;
    }

    /// <summary>Null when <paramref name="needed"/> bytes fit in <paramref name="free"/> with
    /// <c>min-free-space</c> left over; an unknown free space (null) is not a reason to refuse.</summary>
    public string? SpaceRefusal(TorrentMetainfo meta, string folder, long needed, long? free)
    {
        if (free is not { } available || needed == 0 || needed <= available - Settings.MinFreeSpace)
        {
            return null;
        }

        var keep = Settings.MinFreeSpace > 0 ? $", keeping {DiskSpace.Human(Settings.MinFreeSpace)} free" : string.Empty;
        return $"not enough disk space in {folder} for {meta.InfoHash.Hex[..8]} ({meta.Name}): needs {DiskSpace.Human(needed)}, {DiskSpace.Human(Math.Max(0, available))} free{keep}";
    }
}
