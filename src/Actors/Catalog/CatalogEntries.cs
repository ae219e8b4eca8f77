using System.Net;
using Swarm.Actors.Persistence;
using Swarm.Actors.Storage;
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
    };

    /// <summary>The entry's metainfo with its trackers (throws <see cref="InvalidTorrentException"/> or
    /// <see cref="FormatException"/> for a journal row that is not a usable torrent).</summary>
    public static TorrentMetainfo Metainfo(TorrentAdded entry) =>
        MetainfoParser.ParseInfoDictionary(entry.InfoDictionary, Protocol.InfoHash.Parse(entry.InfoHash)) with
        {
            TrackerTiers = entry.Trackers,
        };

    public static TorrentOptions Options(TorrentAdded entry, IReadOnlyList<IPEndPoint> peers) =>
        new(entry.Sequential, entry.SeedOnly, peers, DownloadLimit: entry.DownloadLimit, UploadLimit: entry.UploadLimit, Replica: entry.Replica);

    /// <summary>Deletes the entry's files (never anything else in its folder), off the actor's thread; a failure is
    /// part of the answer, not an exception.</summary>
    public static Task<RemoveTorrentReply> DeleteData(TorrentAdded entry, FileHandlePool files) => Task.Run(() =>
    {
        try
        {
            return new RemoveTorrentReply(entry.InfoHash, new TorrentStorage(Metainfo(entry), entry.SavePath, files).DeleteContent());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidTorrentException)
        {
            return new RemoveTorrentReply(entry.InfoHash, 0, e.Message);
        }
    });
}
