using System.Collections.Immutable;
using System.Net;
using Akka.Cluster;
using static Swarm.Actors.Clustering.ClusterMessages;

namespace Swarm.Actors.Clustering;

/// <summary>Where a torrent known to the cluster can be added from: the members to ask for its metainfo (complete
/// copies first) and the peers to start with, or why it cannot be.</summary>
public sealed record AddSources(ImmutableArray<MemberHoldings> Holders, ImmutableArray<IPEndPoint> Peers, string? Refusal);

/// <summary>One member's view of the cluster: the membership and what the gossip says each member holds and wants.
/// Everything the availability actor answers or decides from that view is computed here, without actors.</summary>
/// <param name="Holdings">Gossiped entries by member key, including those of members no longer (or not yet) in the membership.</param>
/// <param name="Factors">Replication factors set for single torrents.</param>
/// <param name="ProtocolVersion">This node's `swarm.cluster.protocol-version`.</param>
public sealed record MembershipView(Membership Membership, ImmutableDictionary<string, MemberHoldings> Holdings, ImmutableDictionary<string, int> Factors, int ProtocolVersion)
{
    public static ImmutableDictionary<string, T> Entries<T>(IEnumerable<KeyValuePair<string, T>> entries) =>
        entries.ToImmutableDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    /// <summary>Keys of the members that are up, reachable, and not gossiping another protocol version.</summary>
    public ImmutableHashSet<string> Usable() =>
        Membership.Members
            .Where(m => m.Status == MemberStatus.Up && m.Reachable)
            .Where(m => !Holdings.TryGetValue(m.Key, out var h) || h.ProtocolVersion == ProtocolVersion)
            .Select(m => m.Key)
            .ToImmutableHashSet(StringComparer.Ordinal);

    /// <summary>The entries of usable members, by key (a stable order for everything derived from them).</summary>
    public ImmutableArray<MemberHoldings> UsableHoldings()
    {
        var usable = Usable();
        return [.. Holdings.Values.Where(h => usable.Contains(h.Member)).OrderBy(h => h.Member, StringComparer.Ordinal)];
    }

    /// <summary>What the replication planner needs: every member, whether it is usable, and its entry.</summary>
    public ClusterView ReplicationView()
    {
        var usable = Usable();
        return new ClusterView(
            Membership.SelfKey,
            [.. Membership.Members.Select(m => new MemberView(m.Key, usable.Contains(m.Key), Holdings.GetValueOrDefault(m.Key)))],
            Factors.ToDictionary(StringComparer.Ordinal));
    }

    /// <summary>The answer to <see cref="GetClusterState"/>: only entries of current members are shown.</summary>
    public ClusterStateReply State(int defaultFactor)
    {
        var members = Membership.Members.Select(m =>
        {
            var h = Holdings.GetValueOrDefault(m.Key);
            return new MemberState(
                m.Address,
                m.Status.ToString().ToLowerInvariant(),
                m.Reachable,
                m.IsLeader,
                m.Key == Membership.SelfKey,
                h?.NodeId,
                h?.PeerEndPoint,
                h?.Torrents.Length ?? 0,
                h?.Torrents.Count(t => t.Complete) ?? 0);
        }).ToArray();
        var keys = Membership.Keys();
        return new ClusterStateReply(
            Membership.SelfAddress,
            Membership.Leader,
            members,
            [.. Holdings.Values.Where(h => keys.Contains(h.Member)).OrderBy(h => h.Member, StringComparer.Ordinal)],
            Factors.ToDictionary(StringComparer.Ordinal),
            defaultFactor);
    }

    /// <summary>The cluster addresses a search asks: every usable member, this one included, in membership order.</summary>
    public ImmutableArray<string> SearchAddresses()
    {
        var usable = Usable();
        return [.. Membership.Members.Where(m => usable.Contains(m.Key)).Select(m => m.Address)];
    }

    /// <summary>The other usable members holding <paramref name="infoHash"/> (complete copies first), or why the
    /// torrent cannot be added from the cluster.</summary>
    public AddSources SourcesFor(string infoHash)
    {
        var holders = UsableHoldings()
            .Where(h => h.Member != Membership.SelfKey && h.Find(infoHash) is not null)
            .OrderByDescending(h => h.Find(infoHash)!.Complete)
            .ToImmutableArray();
        if (holders.IsEmpty)
        {
            return new AddSources([], [], $"no reachable member of the cluster holds {infoHash[..8]}");
        }

        if (holders.Any(h => h.Find(infoHash)!.Private))
        {
            return new AddSources([], [], $"{infoHash[..8]} is a private torrent (BEP 27): add its .torrent file; its peers come from its trackers only");
        }

        var peers = holders.Select(h => IPEndPoint.TryParse(h.PeerEndPoint, out var ep) ? ep : null).OfType<IPEndPoint>().ToImmutableArray();
        return new AddSources(holders, peers, null);
    }
}
