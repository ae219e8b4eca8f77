using System.Collections.Immutable;
using Akka.Cluster;
using Swarm.Actors.Clustering;

namespace Swarm.Actors.Tests.Clustering;

/// <summary>Members, entries and views spelled shortly for the tests of the cluster's pure types. A member "a" has the
/// key "a#1", the address "akka.tcp://swarm@a:1" and the peer endpoint 10.0.0.N:6881 (N from its letter).</summary>
internal static class ClusterFixtures
{
    public static string KeyOf(string name) => $"{name}#1";

    public static string AddressOf(string name) => $"akka.tcp://swarm@{name}:1";

    public static string PeerOf(string name) => $"10.0.0.{name[0] - 'a' + 1}:6881";

    public static MemberSnapshot Up(string name, bool reachable = true, bool older = false) =>
        new(KeyOf(name), AddressOf(name), MemberStatus.Up, reachable, IsLeader: false, older);

    public static Membership Members(string self, params MemberSnapshot[] members) =>
        new(KeyOf(self), AddressOf(self), members.FirstOrDefault(m => m.Key == KeyOf(self))?.Status ?? MemberStatus.Joining, null, [.. members]);

    public static MemberHoldings Entry(string name, params TorrentHolding[] torrents) =>
        new(KeyOf(name), AddressOf(name), $"node-{name}", PeerOf(name), torrents);

    public static TorrentHolding Complete(string hash, bool isPrivate = false) => new(hash, $"name of {hash}", 100, 10, 10, true, isPrivate);

    public static TorrentHolding Partial(string hash) => new(hash, $"name of {hash}", 100, 10, 4, false);

    public static MembershipView View(Membership membership, params MemberHoldings[] entries) =>
        new(
            membership,
            entries.ToImmutableDictionary(e => e.Member, StringComparer.Ordinal),
            ImmutableDictionary.Create<string, int>(StringComparer.Ordinal),
            ProtocolVersion: 1);
}
