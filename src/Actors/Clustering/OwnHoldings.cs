using Swarm.Actors.Torrent;

namespace Swarm.Actors.Clustering;

/// <summary>This member's own gossip entry, built from its torrents' statuses, and whether it is worth gossiping.</summary>
public static class OwnHoldings
{
    /// <param name="key">This member's gossip key (<see cref="Membership.KeyOf"/>).</param>
    /// <param name="address">This member's cluster address.</param>
    public static MemberHoldings Describe(string key, string address, ClusterNodeInfo node, IEnumerable<TorrentStatus> torrents, long freeBytes, int protocolVersion) =>
        new(
            key,
            address,
            node.NodeId,
            node.PeerEndPoint,
            // A magnet still fetching its metadata holds nothing another member could use.
            [.. torrents.Where(t => t.State != TorrentState.Metadata).Select(t => new TorrentHolding(
                t.InfoHash,
                t.Name,
                t.TotalLength,
                t.PieceCount,
                t.VerifiedPieces,
                t.State == TorrentState.Seeding || (t.PieceCount > 0 && t.VerifiedPieces == t.PieceCount),
                t.IsPrivate,
                t.IsReplica))],
            freeBytes,
            protocolVersion);

    /// <summary>Gossip only what changed: progress moves in steps of whole pieces, free space in GiB, and an idle
    /// node sends nothing.</summary>
    public static bool IsNews(MemberHoldings? published, MemberHoldings next) =>
        published is null || !published.Torrents.SequenceEqual(next.Torrents) || published with { Torrents = next.Torrents } != next;
}
