using System.Net;
using Swarm.Actors.Persistence;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Catalog;

/// <summary>A catalog entry (<see cref="TorrentAdded"/>) made from an add, and read back into what a torrent runs with.</summary>
public static class CatalogEntries
{
    /// <summary>A new entry: a fresh generation names its own journal, so a torrent removed and added again starts from
    /// a clean history.</summary>
    public static TorrentAdded From(AddTorrent a) => new(
        a.Metainfo.InfoHash.Hex,
        Guid.NewGuid().ToString("N"),
        a.Metainfo.InfoBytes,
        a.Metainfo.TrackerTiers.Select(t => t.ToArray()).ToArray(),
        a.SavePath,
        a.Options.Sequential,
        a.Options.SeedOnly)
    {
        Replica = a.Options.Replica,
        PieceLayers = Protocol.Metainfo.PieceLayers.Encode(a.Metainfo),
        WebSeeds = [.. a.Metainfo.WebSeeds], // issue 17
    };

    /// <summary>The entry's metainfo with its trackers (throws <see cref="InvalidTorrentException"/> or
    /// <see cref="FormatException"/> for a journal row that is not a usable torrent).</summary>
    public static TorrentMetainfo Metainfo(TorrentAdded entry) =>
        Protocol.Metainfo.PieceLayers.Attach(MetainfoParser.ParseInfoDictionary(entry.InfoDictionary, Protocol.InfoHash.Parse(entry.InfoHash)), entry.PieceLayers) with
        {
            TrackerTiers = entry.Trackers,
            WebSeeds = entry.WebSeeds ?? [], // issue 17 (null in rows written before it)
        };

    public static TorrentOptions Options(TorrentAdded entry, IReadOnlyList<IPEndPoint> peers) =>
        new(entry.Sequential, entry.SeedOnly, peers, DownloadLimit: entry.DownloadLimit, UploadLimit: entry.UploadLimit, Replica: entry.Replica);

    /// <summary>The persistence id of the entry's own journal (verified pieces, pause, files it created).</summary>
    public static string JournalId(string nodeId, TorrentAdded entry) => $"{nodeId}/torrent-{entry.InfoHash}-{entry.Generation}";
}
