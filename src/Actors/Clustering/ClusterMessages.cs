using Swarm.Actors.Catalog;

namespace Swarm.Actors.Clustering;

/// <summary>Messages of the node's cluster actors. Those marked <see cref="IClusterCommand"/> are routed by the node
/// root to its <see cref="AvailabilityActor"/> (answered with <see cref="NotClustered"/> on a standalone node).</summary>
public static class ClusterMessages
{
    public interface IClusterCommand;

    /// <summary>The answer to any <see cref="IClusterCommand"/> on a node that is not a cluster member.</summary>
    public sealed record NotClustered;

    /// <summary>Membership, the leader and every member's holdings, from this member's view.</summary>
    public sealed record GetClusterState : IClusterCommand;

    public sealed record MemberState(string Address, string Status, bool Reachable, bool IsLeader, bool IsSelf, string? NodeId, string? PeerEndPoint, int Torrents, int CompleteTorrents);

    public sealed record ClusterStateReply(string Self, string? Leader, MemberState[] Members, MemberHoldings[] Holdings, IReadOnlyDictionary<string, int> ReplicationFactors, int DefaultReplicationFactor)
    {
        /// <summary>Addresses of the members whose copies count: up and reachable.</summary>
        public HashSet<string> UsableAddresses() =>
            Members.Where(m => m.Status == "up" && m.Reachable).Select(m => m.Address).ToHashSet(StringComparer.Ordinal);

        public int FactorOf(string infoHash) => ReplicationFactors.TryGetValue(infoHash, out var f) ? f : DefaultReplicationFactor;
    }

    /// <summary>Sets (or with null, clears) a torrent's replication factor cluster-wide.</summary>
    public sealed record SetReplicationFactor(string InfoHash, int? Factor) : IClusterCommand;

    /// <param name="Factor">The factor the torrent has now (the cluster default once cleared).</param>
    public sealed record ReplicationFactorSet(string InfoHash, int Factor);

    /// <summary>Adds a torrent known to the cluster by info-hash alone: its metainfo is fetched from a member holding
    /// it and checked against the hash; peers come from the cluster's gossip. Answered with the catalog's
    /// <see cref="CatalogMessages.TorrentAccepted"/> or with <see cref="AddFromClusterFailed"/>.</summary>
    /// <param name="Reason">Why it is added, quoted when the metainfo cannot be had.</param>
    public sealed record AddFromCluster(string InfoHash, string SavePath, string Reason) : IClusterCommand;

    public sealed record AddFromClusterFailed(string Reason);

    /// <summary>Search every member (scatter-gather within <c>fetch-timeout</c>); answered with <see cref="SearchResults"/>.</summary>
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

    // between members (to /user/node/cluster of each)

    /// <summary>Search this member's catalog; answered with <see cref="MemberHits"/>.</summary>
    public sealed record SearchMember(IReadOnlyList<string> Words);

    /// <param name="Member">The cluster address of the member that answers (the searcher tells the answers apart by it).</param>
    public sealed record MemberHits(string Member, IReadOnlyList<CatalogMessages.CatalogHit> Hits);

    /// <summary>The metainfo of a torrent this member holds; answered with <see cref="MetainfoFound"/> or
    /// <see cref="MetainfoMissing"/>.</summary>
    public sealed record GetMetainfo(string InfoHash);

    /// <param name="InfoDictionary">The bencoded info dictionary, which the asker checks against the info-hash.</param>
    public sealed record MetainfoFound(byte[] InfoDictionary, string[][] Trackers)
    {
        /// <summary>BEP 52: the bencoded piece layers the holder keeps beside a v2 torrent's info dictionary (null for
        /// v1 or when it has none); checked by the asker against the pieces roots.</summary>
        public byte[]? PieceLayers { get; init; }
    }

    public sealed record MetainfoMissing;

    // from the availability actor to the replication actor

    /// <summary>The cluster as this member sees it now (sent on every change).</summary>
    public sealed record ClusterView(string Self, IReadOnlyList<MemberView> Members, IReadOnlyDictionary<string, int> ReplicationFactors);

    /// <summary>Runs the replication plan now (the replication actor also runs it every
    /// <c>replication-evaluate-interval</c>); answered with <see cref="ReplicationEvaluated"/>.</summary>
    public sealed record EvaluateReplication;

    /// <summary>What one run of the plan asked for (info-hashes).</summary>
    public sealed record ReplicationEvaluated(string[] CopiesAsked, string[] ReleasesAsked);

    // from the replication actor to the availability actor

    /// <summary>This member was chosen to hold one more complete copy of a torrent.</summary>
    /// <param name="Why">The shortage, for the log.</param>
    public sealed record Replicate(string InfoHash, string Why);

    /// <summary>Remove this member's replica of the torrent, with its data (surplus).</summary>
    public sealed record ReleaseReplica(string InfoHash, string Why);
}
