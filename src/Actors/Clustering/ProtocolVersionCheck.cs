using System.Collections.Immutable;
using Akka.Cluster;

namespace Swarm.Actors.Clustering;

/// <summary>The outcome of one review of the gossiped protocol versions.</summary>
/// <param name="LeftOut">Members newly found speaking another version that are refused by the cluster (younger than
/// this one): they are left out of the data plane until they are gone.</param>
/// <param name="Refusal">Set when this node is the younger side of a mismatch: why it is refused and must leave.</param>
public sealed record VersionReview(ProtocolVersionCheck Next, ImmutableArray<MemberHoldings> LeftOut, string? Refusal);

/// <summary>Akka.NET has no join-time configuration check, so the swarm protocol version is compared once a member's
/// gossip entry arrives. The younger side of a mismatch is the one refused: it leaves (and its host exits instead of
/// rejoining); the older side leaves it out of the data plane until it is gone. Each member is decided once.</summary>
/// <param name="Own">This node's `swarm.cluster.protocol-version`.</param>
/// <param name="Decided">Keys of the members already decided on.</param>
public sealed record ProtocolVersionCheck(int Own, ImmutableHashSet<string> Decided)
{
    public static ProtocolVersionCheck For(int own) => new(own, ImmutableHashSet.Create<string>(StringComparer.Ordinal));

    public VersionReview Review(Membership membership, IEnumerable<MemberHoldings> entries)
    {
        var decided = Decided;
        var leftOut = ImmutableArray.CreateBuilder<MemberHoldings>();
        foreach (var other in entries.Where(h => h.ProtocolVersion != Own).OrderBy(h => h.Member, StringComparer.Ordinal))
        {
            // Gossip ahead of membership: decided once both are known.
            if (decided.Contains(other.Member) || membership.Find(other.Member) is not { } member)
            {
                continue;
            }

            decided = decided.Add(other.Member);
            if (membership.SelfStatus == MemberStatus.Up && !member.OlderThanSelf)
            {
                leftOut.Add(other);
                continue;
            }

            var reason = $"refused by the cluster: member {other.Address} speaks swarm cluster protocol {other.ProtocolVersion}, this node {Own}; run one version across the cluster";
            return new VersionReview(this with { Decided = decided }, leftOut.ToImmutable(), reason);
        }

        return new VersionReview(this with { Decided = decided }, leftOut.ToImmutable(), null);
    }
}
