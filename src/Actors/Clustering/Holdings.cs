namespace Swarm.Actors.Clustering;

/// <summary>One torrent as a member announces it to the cluster.</summary>
/// <param name="Private">BEP 27: members never use each other as peers for it, nor copy it.</param>
/// <param name="Replica">A copy the cluster made (see <see cref="Torrent.TorrentOptions.Replica"/>): releasable when surplus.</param>
public sealed record TorrentHolding(string InfoHash, string Name, long Size, int Pieces, int Verified, bool Complete, bool Private = false, bool Replica = false);

/// <summary>What one member holds, gossiped with Akka.DistributedData under the member's unique address. Only that
/// member writes its entry; any member removes the entry of a member the cluster removed.</summary>
/// <param name="Member">The member's unique address (address and incarnation uid), see <see cref="Membership.KeyOf"/>.</param>
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
