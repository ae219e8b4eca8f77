using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Node;

public static class NodeMessages
{
    public sealed record AddTorrent(TorrentMetainfo Metainfo, string SavePath, TorrentOptions Options);

    public sealed record TorrentAccepted(string InfoHash);

    public sealed record AddTorrentRejected(string Reason);

    public sealed record RemoveTorrent(string InfoHash);

    public sealed record TorrentRemoved(string InfoHash);

    /// <summary>A message for one torrent, addressed by its info-hash.</summary>
    public sealed record ForTorrent(string InfoHash, object Message);

    public sealed record UnknownTorrent(string InfoHash);

    public sealed record ListTorrents;

    public sealed record TorrentList(IReadOnlyList<TorrentStatus> Torrents);
}
