using System.Net;
using Swarm.Actors.TrackerServer;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Actors.Tests.TrackerServer;

/// <summary>One tracked swarm as a value: who is remembered, whom an announce is answered with, counts and expiry.</summary>
public sealed class TrackedSwarmTests
{
    private static readonly InfoHash Hash = new(new byte[20]);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Probation = TimeSpan.FromMinutes(3);

    [Fact]
    public void A_seed_is_given_only_leechers_and_a_leecher_everyone_else()
    {
        var swarm = TrackedSwarm.Empty(Hash, T0);
        swarm = Join(swarm, "10.0.0.1", left: 0);
        swarm = Join(swarm, "10.0.0.2", left: 0);
        Assert.Empty(swarm.PeersFor(Request(left: 0), At("10.0.0.1"), new Random(1)));
        swarm = Join(swarm, "10.0.0.3", left: 5);
        Assert.Equal([At("10.0.0.1"), At("10.0.0.2")], swarm.PeersFor(Request(left: 5), At("10.0.0.3"), new Random(1)).Select(p => p.EndPoint).Order(EndPointOrder));
        Assert.Equal([At("10.0.0.3")], swarm.PeersFor(Request(left: 0), At("10.0.0.1"), new Random(1)).Select(p => p.EndPoint));
        Assert.Equal(new ScrapeEntry(Hash, 2, 0, 1), swarm.Counts());
    }

    [Fact]
    public void At_most_numwant_peers_are_handed_out()
    {
        var swarm = TrackedSwarm.Empty(Hash, T0);
        for (var i = 1; i <= 20; i++)
        {
            swarm = Join(swarm, $"10.0.0.{i}", left: 1);
        }

        var chosen = swarm.PeersFor(Request(left: 1, numWant: 5), At("10.0.1.1"), new Random(1));
        Assert.Equal(5, chosen.Select(p => p.EndPoint).Distinct().Count());
        Assert.All(chosen, p => Assert.True(swarm.Peers.ContainsKey(p.EndPoint)));
    }

    [Fact]
    public void A_known_peer_is_refreshed_a_stopped_one_forgotten_and_completions_counted()
    {
        var swarm = Join(TrackedSwarm.Empty(Hash, T0), "10.0.0.1", left: 9);
        var peerId = Enumerable.Repeat((byte)7, 20).ToArray();
        Assert.True(swarm.OnProbation(At("10.0.0.1")));
        (swarm, var released) = swarm.Announce(Request(left: 0, AnnounceEvent.Completed) with { PeerId = peerId }, At("10.0.0.1"), T0.AddMinutes(1), admitted: false);
        Assert.Empty(released);
        var peer = Assert.Single(swarm.Peers.Values);
        Assert.Equal((0L, T0.AddMinutes(1), peerId, true), (peer.Left, peer.LastSeen, peer.PeerId, peer.Returned));
        Assert.False(swarm.OnProbation(At("10.0.0.1")));
        Assert.Equal(new ScrapeEntry(Hash, 1, 1, 0), swarm.Counts());

        (swarm, released) = swarm.Announce(Request(left: 0, AnnounceEvent.Stopped), At("10.0.0.1"), T0, admitted: false);
        Assert.Equal([At("10.0.0.1")], released);
        Assert.Empty(swarm.Peers);
        (_, released) = swarm.Announce(Request(left: 0, AnnounceEvent.Stopped), At("10.0.0.1"), T0, admitted: false);
        Assert.Empty(released); // unknown: nothing to give back
    }

    [Fact]
    public void A_new_peer_needs_room_and_without_it_is_answered_but_not_remembered()
    {
        var swarm = Join(TrackedSwarm.Empty(Hash, T0), "10.0.0.1", left: 1);
        Assert.True(swarm.WantsRoom(AnnounceEvent.Started, At("10.0.0.2"), maxPeers: 2));
        Assert.False(swarm.WantsRoom(AnnounceEvent.Started, At("10.0.0.2"), maxPeers: 1)); // the torrent's bound
        Assert.False(swarm.WantsRoom(AnnounceEvent.None, At("10.0.0.1"), maxPeers: 1)); // known: no new room
        Assert.False(swarm.WantsRoom(AnnounceEvent.Stopped, At("10.0.0.2"), maxPeers: 2));
        Assert.False(swarm.WantsRoom(AnnounceEvent.Started, new IPEndPoint(IPAddress.Parse("10.0.0.1"), 7000), maxPeers: 9, maxPerAddress: 1)); // its address's share
        Assert.True(swarm.WantsRoom(AnnounceEvent.Started, new IPEndPoint(IPAddress.Parse("10.0.0.1"), 7000), maxPeers: 9, maxPerAddress: 2));

        var (after, _) = swarm.Announce(Request(left: 1), At("10.0.0.2"), T0, admitted: false);
        Assert.Equal([At("10.0.0.1")], after.Peers.Keys);
        Assert.Equal([At("10.0.0.1")], after.PeersFor(Request(left: 1), At("10.0.0.2"), new Random(1)).Select(p => p.EndPoint));
    }

    [Fact]
    public void Cluster_members_count_as_peers_unless_they_announced_themselves()
    {
        var swarm = Join(TrackedSwarm.Empty(Hash, T0), "10.0.0.1", left: 0) with
        {
            ClusterPeers = [(At("10.0.0.1"), true), (At("10.0.0.5"), true), (At("10.0.0.6"), false)],
        };
        Assert.Equal(new ScrapeEntry(Hash, 2, 0, 1), swarm.Counts());
        var forLeecher = swarm.PeersFor(Request(left: 1), At("10.0.0.6"), new Random(1));
        Assert.Equal([At("10.0.0.1"), At("10.0.0.5")], forLeecher.Select(p => p.EndPoint).Order(EndPointOrder));
        Assert.Equal([At("10.0.0.6")], swarm.PeersFor(Request(left: 0), At("10.0.0.9"), new Random(1)).Select(p => p.EndPoint));
    }

    [Fact]
    public void Silent_peers_expire_after_the_expiry_and_a_swarm_that_had_a_returning_peer_ends_once_empty_that_long()
    {
        var swarm = Join(Join(TrackedSwarm.Empty(Hash, T0), "10.0.0.1", left: 0), "10.0.0.1", left: 0);
        swarm = Join(Join(swarm, "10.0.0.2", left: 1, at: T0.AddMinutes(5)), "10.0.0.2", left: 1, at: T0.AddMinutes(5));

        var (kept, released, ended) = swarm.Sweep(T0 + Expiry, Expiry, Probation);
        Assert.Equal((2, 0, false), (kept.Peers.Count, released.Count, ended)); // silent for exactly the expiry: kept

        (swarm, released, ended) = kept.Sweep(T0 + Expiry + TimeSpan.FromSeconds(1), Expiry, Probation);
        Assert.Equal([At("10.0.0.2")], swarm.Peers.Keys);
        Assert.Equal([At("10.0.0.1")], released);
        Assert.False(ended);

        var lastSeenNonEmpty = T0.AddMinutes(15);
        (swarm, released, ended) = swarm.Sweep(lastSeenNonEmpty, Expiry, Probation);
        Assert.Equal((1, 0, false), (swarm.Peers.Count, released.Count, ended));

        (swarm, released, ended) = swarm.Sweep(lastSeenNonEmpty + TimeSpan.FromSeconds(1), Expiry, Probation);
        Assert.Equal((0, 1, false), (swarm.Peers.Count, released.Count, ended));
        Assert.False(swarm.Sweep(lastSeenNonEmpty + Expiry, Expiry, Probation).Ended); // empty for exactly the expiry
        Assert.True(swarm.Sweep(lastSeenNonEmpty + Expiry + TimeSpan.FromSeconds(1), Expiry, Probation).Ended);
    }

    [Fact]
    public void A_peer_that_announced_once_goes_after_the_probation_and_its_swarm_with_it()
    {
        // A flood's torrent: one announce, never again.
        var swarm = Join(TrackedSwarm.Empty(Hash, T0), "10.0.0.1", left: 0);
        Assert.True(swarm.OnProbation(At("10.0.0.1")));
        Assert.Equal((1, false), (swarm.Sweep(T0 + Probation, Expiry, Probation).Swarm.Peers.Count, swarm.Sweep(T0 + Probation, Expiry, Probation).Ended));

        var (after, released, ended) = swarm.Sweep(T0 + Probation + TimeSpan.FromSeconds(1), Expiry, Probation);
        Assert.Equal([At("10.0.0.1")], released);
        Assert.True(ended); // forgotten with its torrent, not an hour later
        Assert.Empty(after.Peers);

        // Beside a returning peer, a one-time peer still goes after the probation, the returning one stays.
        swarm = Join(Join(TrackedSwarm.Empty(Hash, T0), "10.0.0.1", left: 0), "10.0.0.1", left: 0);
        swarm = Join(swarm, "10.0.0.2", left: 1);
        (after, released, ended) = swarm.Sweep(T0 + Probation + TimeSpan.FromSeconds(1), Expiry, Probation);
        Assert.Equal([At("10.0.0.1")], after.Peers.Keys);
        Assert.Equal([At("10.0.0.2")], released);
        Assert.False(ended);
    }

    [Fact]
    public void A_swarm_whose_only_peer_stopped_without_returning_ends_at_the_next_sweep()
    {
        var swarm = Join(TrackedSwarm.Empty(Hash, T0), "10.0.0.1", left: 0);
        (swarm, _) = swarm.Announce(Request(left: 0, AnnounceEvent.Stopped), At("10.0.0.1"), T0, admitted: false);
        Assert.True(swarm.Sweep(T0, Expiry, Probation).Ended);
    }

    [Fact]
    public void A_v4_mapped_address_is_recorded_as_ipv4()
    {
        Assert.Equal(IPEndPoint.Parse("10.0.0.1:6881"), TrackedSwarm.EndPointOf(IPAddress.Parse("::ffff:10.0.0.1"), 6881));
        Assert.Equal(IPEndPoint.Parse("[2001:db8::1]:6881"), TrackedSwarm.EndPointOf(IPAddress.Parse("2001:db8::1"), 6881));
    }

    private static readonly Comparer<IPEndPoint> EndPointOrder = Comparer<IPEndPoint>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));

    private static IPEndPoint At(string ip) => new(IPAddress.Parse(ip), 6881);

    private static TrackedSwarm Join(TrackedSwarm swarm, string ip, long left, DateTimeOffset? at = null) =>
        swarm.Announce(Request(left), At(ip), at ?? T0, admitted: true).Swarm;

    private static TrackerAnnounce Request(long left, AnnounceEvent ev = AnnounceEvent.None, int numWant = 50) =>
        new(Hash, new byte[20], 6881, 0, 0, left, ev, numWant, true, true);
}
