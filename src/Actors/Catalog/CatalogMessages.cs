using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Catalog;

public static class CatalogMessages
{
    public sealed record AddTorrent(TorrentMetainfo Metainfo, string SavePath, TorrentOptions Options);

    /// <summary>To the node: the catalog has recovered from the journal and started every torrent it holds.</summary>
    public sealed record CatalogRecovered(int Torrents, int Magnets);

    /// <summary>Adds a torrent known by its magnet link: the metadata is fetched from peers first (BEP 9).</summary>
    /// <param name="Keep">A running node's magnet (console): journaled, listed with state <c>metadata</c>, fetched until
    /// it comes or the magnet is removed, across restarts; answered at once with <see cref="MagnetPending"/>. Otherwise
    /// (`swarm get`) the fetch gives up after <c>magnet.metadata-timeout</c>, and the answer, possibly much later, is
    /// that of <see cref="AddTorrent"/>.</param>
    public sealed record AddMagnet(Protocol.Magnet.MagnetLink Magnet, string SavePath, TorrentOptions Options, bool Keep = false);

    /// <summary>The magnet is journaled and its metadata is being fetched (or already was, by an earlier add).</summary>
    public sealed record MagnetPending(string InfoHash, string Name, string SavePath);

    /// <summary>From a magnet actor to the catalog: the metadata came; add the torrent on behalf of
    /// <paramref name="ReplyTo"/>. <paramref name="Kept"/>: it was a journaled magnet, which may have been removed since.</summary>
    public sealed record MagnetResolved(AddTorrent Add, Akka.Actor.IActorRef ReplyTo, bool Kept);

    public sealed record TorrentAccepted(string InfoHash);

    public sealed record AddTorrentRejected(string Reason);

    /// <param name="DeleteData">Also delete the files the torrent created, once its actor has stopped and closed them.</param>
    /// <param name="OnlyIfReplica">Only a copy the cluster made (a surplus replica being released): a torrent a person
    /// added is refused with <see cref="RemoveRefused"/>, whatever the gossip said.</param>
    public sealed record RemoveTorrent(string InfoHash, bool DeleteData = false, bool OnlyIfReplica = false);

    /// <summary>The answer to a <see cref="RemoveTorrent"/> that is not allowed; nothing was removed or deleted.</summary>
    public sealed record RemoveRefused(string InfoHash, string Reason);

    /// <summary>The answer to <see cref="RemoveTorrent"/> (the journaled fact is <see cref="Persistence.TorrentRemoved"/>).</summary>
    public sealed record RemoveTorrentReply(string InfoHash, int FilesDeleted = 0, string? DeleteError = null);

    /// <summary>From a <see cref="DataDeletionActor"/>: the removed torrent's data is deleted (or could not be); the
    /// paths claimed under <paramref name="ClaimKey"/> are free again.</summary>
    public sealed record DataDeletionFinished(string ClaimKey);

    /// <summary>Finds one torrent by full info-hash, info-hash prefix or exact name (case-insensitive), from the catalog
    /// alone: no torrent actor is asked.</summary>
    public sealed record ResolveTorrent(string Query);

    /// <param name="AwaitingMetadata">A pending magnet: it can be listed and removed, nothing else yet.</param>
    public sealed record TorrentResolved(string InfoHash, string Name, bool AwaitingMetadata = false);

    public sealed record TorrentNotResolved(string Reason);

    /// <summary>Changes the node's limits (<paramref name="InfoHash"/> null) or one torrent's; a null rate is left as it
    /// is, so both null only reads them. Bytes per second, 0 = unlimited.</summary>
    public sealed record ChangeRateLimits(string? InfoHash, long? DownloadLimit, long? UploadLimit);

    public sealed record RateLimitsSet(string? InfoHash, long DownloadLimit, long UploadLimit);

    /// <summary>A message for one torrent, addressed by its info-hash.</summary>
    public sealed record ForTorrent(string InfoHash, object Message);

    public sealed record UnknownTorrent(string InfoHash);

    /// <summary>A torrent's info dictionary and trackers as the catalog holds them (for members adding it by hash).</summary>
    public sealed record GetInfoDictionary(string InfoHash);

    public sealed record InfoDictionary(string InfoHash, byte[] Bytes, string[][] Trackers)
    {
        /// <summary>BEP 52: the row's bencoded piece layers (null for v1, or a v2 torrent whose layers are not known).</summary>
        public byte[]? PieceLayers { get; init; }
    }

    /// <summary>The torrents of this node whose name or file names contain every word (case-insensitive).</summary>
    public sealed record SearchCatalog(IReadOnlyList<string> Words);

    public sealed record CatalogHit(string InfoHash, string Name, long Size, int Files);

    public sealed record CatalogHits(IReadOnlyList<CatalogHit> Hits);

    public sealed record ListTorrents;

    /// <summary>Answered with <see cref="WritesDone"/> once the catalog's journal writes asked for before it are done:
    /// the catalog, a persistent actor, holds commands back while an event it persisted is being written.</summary>
    public sealed record AwaitWrites
    {
        public static AwaitWrites Instance { get; } = new();
    }

    public sealed record WritesDone
    {
        public static WritesDone Instance { get; } = new();
    }

    public sealed record TorrentList(IReadOnlyList<TorrentStatus> Torrents);

    // BEP 52 piece layers fetched from peers

    /// <summary>A running v2 torrent fetched (and verified) piece layers its row lacked: <paramref name="PieceLayers"/>
    /// is every layer now known, bencoded as <see cref="Protocol.Metainfo.PieceLayers.Encode"/> writes them.</summary>
    public sealed record PieceLayersFetched(string InfoHash, byte[] PieceLayers);
}
