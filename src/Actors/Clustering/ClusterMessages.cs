namespace Swarm.Actors.Clustering;

/// <summary>One torrent as a member announces it to the cluster.</summary>
/// <param name="Private">BEP 27: members never use each other as peers for it, nor copy it.</param>
/// <param name="Replica">A copy the cluster made (see <see cref="Torrent.TorrentOptions.Replica"/>): releasable when surplus.</param>
public sealed record TorrentHolding(string InfoHash, string Name, long Size, int Pieces, int Verified, bool Complete, bool Private = false, bool Replica = false);

/// <summary>What one member holds, gossiped with Akka.DistributedData under the member's unique address. Only that
/// member writes its entry; any member removes the entry of a member the cluster removed.</summary>
/// <param name="Member">The member's unique address (address and incarnation uid).</param>
/// <param name="Address">Its cluster address, e.g. akka.tcp://swarm@127.0.0.1:4060.</param>
/// <param name="PeerEndPoint">Where other members reach its BitTorrent peer port (the cluster host and the peer port).</param>
/// <param name="FreeBytes">Free space where the member saves copies (rounded down to whole GiB, so it gossips rarely).</param>
/// <param name="ProtocolVersion">`swarm.cluster.protocol-version`: members with another version are left out.</param>
public sealed record MemberHoldings(string Member, string Address, string NodeId, string PeerEndPoint, TorrentHolding[] Torrents, long FreeBytes = long.MaxValue, int ProtocolVersion = 1)
{
    public TorrentHolding? Find(string infoHash) => Array.Find(Torrents, t => t.InfoHash == infoHash);
}

/// <summary>A member as the replication planner sees it.</summary>
/// <param name="Usable">Up and reachable: its copies count and it may be asked to make one.</param>
public sealed record MemberView(string Member, bool Usable, MemberHoldings? Holdings);

/// <summary>Messages of the node's cluster actors. Those marked <see cref="IClusterCommand"/> are routed by the node
/// root to its <see cref="AvailabilityActor"/> (answered with <see cref="NotClustered"/> on a standalone node).</summary>
public static class ClusterMessages
{
    public interface IClusterCommand;

    public sealed record NotClustered : IClusterCommand;

    /// <summary>Membership, the leader and every member's holdings, from this member's view.</summary>
    public sealed record GetClusterState : IClusterCommand;

    public sealed record MemberState(string Address, string Status, bool Reachable, bool IsLeader, bool IsSelf, string? NodeId, string? PeerEndPoint, int Torrents, int CompleteTorrents);

    public sealed record ClusterState(string Self, string? Leader, MemberState[] Members, MemberHoldings[] Holdings, IReadOnlyDictionary<string, int> ReplicationFactors, int DefaultReplicationFactor)
    {
        /// <summary>Addresses of the members whose copies count: up and reachable.</summary>
        public HashSet<string> UsableAddresses() =>
            Members.Where(m => m.Status == "up" && m.Reachable).Select(m => m.Address).ToHashSet(StringComparer.Ordinal);

        public int FactorOf(string infoHash) => ReplicationFactors.TryGetValue(infoHash, out var f) ? f : DefaultReplicationFactor;
    }

    /// <summary>Sets (or with null, clears) a torrent's replication factor cluster-wide.</summary>
    public sealed record SetReplicationFactor(string InfoHash, int? Factor) : IClusterCommand;

    public sealed record ReplicationFactorSet(string InfoHash, int Factor);

    /// <summary>Adds a torrent known to the cluster by info-hash alone: its metainfo is fetched from a member holding
    /// it and checked against the hash; peers come from the cluster's gossip.</summary>
    public sealed record AddFromCluster(string InfoHash, string SavePath, string Reason) : IClusterCommand;

    public sealed record AddFromClusterFailed(string Reason);

    /// <summary>Search every member (scatter-gather within <c>search-timeout</c>); answered with <see cref="SearchResults"/>.</summary>
    public sealed record SearchCluster(IReadOnlyList<string> Words) : IClusterCommand;

    /// <param name="Copies">Complete copies on usable members, from the gossip.</param>
    /// <param name="Members">Cluster addresses of the members that matched it.</param>
    public sealed record SearchResult(string InfoHash, string Name, long Size, int Copies, string[] Members);

    /// <param name="Unanswered">Members that did not answer in time (their torrents are missing from the results).</param>
    public sealed record SearchResults(SearchResult[] Results, string[] Unanswered);

    /// <summary>Published on the local event stream on every gossip change: for each (public) torrent, the peer
    /// endpoints of the usable members holding it. The embedded tracker answers with them too.</summary>
    public sealed record ClusterPeersChanged(IReadOnlyDictionary<string, IReadOnlyList<(System.Net.IPEndPoint EndPoint, bool Complete)>> Peers);

    /// <summary>Published on the local event stream when this member found itself the newcomer among members speaking
    /// another swarm cluster protocol, and left: the host must not rejoin on its own.</summary>
    public sealed record MembershipRefused(string Reason);

    // between members

    public sealed record SearchMember(IReadOnlyList<string> Words);

    public sealed record MemberHits(string Member, IReadOnlyList<Catalog.CatalogMessages.CatalogHit> Hits);

    public sealed record GetMetainfo(string InfoHash);

    public sealed record MetainfoFound(string InfoHash, byte[] InfoDictionary, string[][] Trackers);

    public sealed record MetainfoMissing(string InfoHash);

    // from the availability actor to the replication actor

    /// <summary>The cluster as this member sees it now (sent on every change).</summary>
    public sealed record ClusterView(string Self, IReadOnlyList<MemberView> Members, IReadOnlyDictionary<string, int> ReplicationFactors);

    // from the replication actor to the availability actor

    /// <summary>This member was chosen to hold one more complete copy of a torrent.</summary>
    public sealed record Replicate(string InfoHash, string Why);

    /// <summary>To the availability actor: remove this member's replica of the torrent, with its data (surplus).</summary>
    public sealed record ReleaseReplica(string InfoHash, string Why);
}
