using System.Collections.Immutable;
using Akka.Cluster;

namespace Swarm.Actors.Clustering;

/// <summary>One member of the cluster as this node sees it at one moment, in plain values.</summary>
/// <param name="Key">Its unique address as gossip keys spell it (<see cref="Membership.KeyOf"/>).</param>
/// <param name="Address">Its cluster address, e.g. akka.tcp://swarm@127.0.0.1:4060.</param>
/// <param name="OlderThanSelf">Joined before this node (<see cref="Member.IsOlderThan"/>): it wins a protocol-version mismatch.</param>
public sealed record MemberSnapshot(string Key, string Address, MemberStatus Status, bool Reachable, bool IsLeader, bool OlderThanSelf);

/// <summary>The cluster's membership as this node sees it at one moment, read from Akka.Cluster into plain values so
/// that the decisions taken on it (who is usable, who is refused) are pure functions tested without a cluster.</summary>
/// <param name="SelfKey">This node's unique address as gossip keys spell it.</param>
/// <param name="Members">In the order of the cluster state (by address).</param>
public sealed record Membership(string SelfKey, string SelfAddress, MemberStatus SelfStatus, string? Leader, ImmutableArray<MemberSnapshot> Members)
{
    /// <summary>Gossip is keyed by address and incarnation: a member that restarts is a new key, never the old entry.</summary>
    public static string KeyOf(UniqueAddress member) => $"{member.Address}#{member.Uid}";

    /// <summary>The membership now (Akka.Cluster updates its state on its own, so this is read at each decision).</summary>
    public static Membership Read(Akka.Cluster.Cluster cluster)
    {
        var state = cluster.State;
        var self = cluster.SelfMember;
        var unreachable = state.Unreachable.Select(m => m.UniqueAddress).ToHashSet();
        return new Membership(
            KeyOf(cluster.SelfUniqueAddress),
            cluster.SelfAddress.ToString(),
            self.Status,
            state.Leader?.ToString(),
            [.. state.Members.Select(m => new MemberSnapshot(
                KeyOf(m.UniqueAddress),
                m.Address.ToString(),
                m.Status,
                !unreachable.Contains(m.UniqueAddress),
                m.Address.Equals(state.Leader),
                m.IsOlderThan(self)))]);
    }

    /// <summary>This node is a full member: neither still joining nor removed, and present in the membership.</summary>
    public bool SelfJoined => SelfStatus is not (MemberStatus.Joining or MemberStatus.Removed) && Members.Any(m => m.Key == SelfKey);

    public ImmutableHashSet<string> Keys() => Members.Select(m => m.Key).ToImmutableHashSet(StringComparer.Ordinal);

    public MemberSnapshot? Find(string key) => Members.FirstOrDefault(m => m.Key == key);
}
