using System.Net;
using Swarm.Actors.TrackerServer;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Actors.Tests.TrackerServer;

/// <summary>One tracked swarm: who is remembered, whom an announce is answered with, counts and expiry.</summary>
public sealed class TrackedSwarmTests
{
    private static readonly InfoHash Hash = new(new byte[20]);
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Expiry = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Probation = TimeSpan.FromMinutes(3);

    [Fact]
    public void A_seed_is_given_only_leechers_and_a_leecher_everyone_else()
    {
        var swarm = new TrackedSwarm(Hash, T0);
        Join(swarm, "10.0.0.1", left: 0);
        Join(swarm, "10.0.0.2", left: 0);
        Assert.Empty(PeersFor(swarm, Request(left: 0), "10.0.0.1"));
        Join(swarm, "10.0.0.3", left: 5);
        Assert.Equal([At("10.0.0.1"), At("10.0.0.2")], PeersFor(swarm, Request(left: 5), "10.0.0.3").Select(p => p.EndPoint).Order(EndPointOrder));
        Assert.Equal([At("10.0.0.3")], PeersFor(swarm, Request(left: 0), "10.0.0.1").Select(p => p.EndPoint));
        Assert.Equal(new ScrapeEntry(Hash, 2, 0, 1), swarm.Counts());
    }

    [Fact]
    public void At_most_numwant_distinct_peers_are_handed_out_and_each_announce_sees_another_slice()
    {
        var swarm = new TrackedSwarm(Hash, T0);
        for (var i = 1; i <= 20; i++)
        {
            Join(swarm, $"10.0.0.{i}", left: 1);
        }

        var seen = new HashSet<IPEndPoint>();
        var random = new Random(1);
        for (var round = 0; round < 20; round++)
        {
            var chosen = swarm.PeersFor(Request(left: 1, numWant: 5), Address("10.0.1.1"), 6881, random);
            Assert.Equal(5, chosen.Select(p => p.EndPoint).Distinct().Count());
            Assert.All(chosen, p => Assert.True(Knows(swarm, p.EndPoint)));
            seen.UnionWith(chosen.Select(p => p.EndPoint));
        }

        Assert.True(seen.Count > 10, $"only {seen.Count} of 20 peers were ever handed out");
    }

    [Fact]
    public void Everyone_who_may_be_handed_out_is_whatever_the_walk_starts_at_and_a_seed_among_seeds_gets_no_one()
    {
        var swarm = new TrackedSwarm(Hash, T0);
        for (var i = 1; i <= 12; i++)
        {
            Join(swarm, $"10.0.0.{i}", left: i % 3 == 0 ? 1 : 0); // 4 leechers, 8 seeds
        }

        swarm.ClusterPeers = [(At("10.0.1.1"), true), (At("10.0.1.2"), false)];
        for (var seed = 0; seed < 30; seed++)
        {
            var random = new Random(seed);
            // A known seed: the 4 leechers and the leeching member; a known leecher: everyone else (11 + 2); a newcomer seed.
            Assert.Equal(5, swarm.PeersFor(Request(left: 0), Address("10.0.0.1"), 6881, random).Count);
            Assert.Equal(13, swarm.PeersFor(Request(left: 1), Address("10.0.0.3"), 6881, random).Count);
            Assert.Equal(5, swarm.PeersFor(Request(left: 0), Address("10.0.2.1"), 6881, random).Count);
            Assert.Equal(3, swarm.PeersFor(Request(left: 1, numWant: 3), Address("10.0.2.1"), 6881, random).Count);
        }

        var seeds = new TrackedSwarm(Hash, T0);
        Join(seeds, "10.0.0.1", left: 0);
        Join(seeds, "10.0.0.2", left: 0);
        var none = seeds.PeersFor(Request(left: 0), Address("10.0.0.1"), 6881, new Random(1));
        Assert.Same(TrackerServerPeers.None, none);
    }

    [Fact]
    public void Peers_of_both_families_go_out_in_wire_form_with_their_ids_when_asked()
    {
        var swarm = new TrackedSwarm(Hash, T0);
        var id = Enumerable.Repeat((byte)7, 20).ToArray();
        swarm.Announce(Request(left: 1) with { PeerId = id }, Address("10.0.0.1"), 7000, T0, admitted: true);
        swarm.Announce(Request(left: 1) with { PeerId = id }, Address("2001:db8::1"), 7001, T0, admitted: true);
        var listed = swarm.PeersFor(Request(left: 1) with { Compact = false, NoPeerId = false }, Address("10.0.0.9"), 1, new Random(1));
        Assert.Equal([IPEndPoint.Parse("10.0.0.1:7000"), IPEndPoint.Parse("[2001:db8::1]:7001")], listed.Select(p => p.EndPoint));
        Assert.All(listed, p => Assert.Equal(id, p.PeerId));
        var compact = swarm.PeersFor(Request(left: 1), Address("10.0.0.9"), 1, new Random(1));
        Assert.Equal((6, 18, null), (compact.V4.Length, compact.V6.Length, compact.PeerIds));
    }

    [Fact]
    public void A_known_peer_is_refreshed_a_stopped_one_forgotten_and_completions_counted()
    {
        var swarm = new TrackedSwarm(Hash, T0);
        Join(swarm, "10.0.0.1", left: 9);
        var peerId = Enumerable.Repeat((byte)7, 20).ToArray();
        Assert.True(swarm.OnProbation(Address("10.0.0.1"), 6881));
        Assert.Null(swarm.Announce(Request(left: 0, AnnounceEvent.Completed) with { PeerId = peerId }, Address("10.0.0.1"), 6881, T0.AddMinutes(1), admitted: false));
        Assert.Equal(1, swarm.Peers.Count);
        var peer = swarm.Peers[0];
        Assert.Equal((true, T0.AddMinutes(1), true), (peer.Seed, swarm.LastSeen(peer), peer.Returned));
        Assert.Equal(peerId, swarm.Peers.PeerIdAt(0).ToArray());
        Assert.False(swarm.OnProbation(Address("10.0.0.1"), 6881));
        Assert.Equal(new ScrapeEntry(Hash, 1, 1, 0), swarm.Counts());

        Assert.Equal(Address("10.0.0.1"), swarm.Announce(Request(left: 0, AnnounceEvent.Stopped), Address("10.0.0.1"), 6881, T0, admitted: false));
        Assert.Equal(0, swarm.Peers.Count);
        Assert.Null(swarm.Announce(Request(left: 0, AnnounceEvent.Stopped), Address("10.0.0.1"), 6881, T0, admitted: false)); // unknown: nothing to give back
    }

    [Fact]
    public void A_new_peer_needs_room_and_without_it_is_answered_but_not_remembered()
    {
        var swarm = new TrackedSwarm(Hash, T0);
        Join(swarm, "10.0.0.1", left: 1);
        Assert.True(swarm.WantsRoom(AnnounceEvent.Started, Address("10.0.0.2"), 6881, maxPeers: 2));
        Assert.False(swarm.WantsRoom(AnnounceEvent.Started, Address("10.0.0.2"), 6881, maxPeers: 1)); // the torrent's bound
        Assert.False(swarm.WantsRoom(AnnounceEvent.None, Address("10.0.0.1"), 6881, maxPeers: 1)); // known: no new room
        Assert.False(swarm.WantsRoom(AnnounceEvent.Stopped, Address("10.0.0.2"), 6881, maxPeers: 2));
        Assert.False(swarm.WantsRoom(AnnounceEvent.Started, Address("10.0.0.1"), 7000, maxPeers: 9, maxPerAddress: 1)); // its address's share
        Assert.True(swarm.WantsRoom(AnnounceEvent.Started, Address("10.0.0.1"), 7000, maxPeers: 9, maxPerAddress: 2));

        swarm.Announce(Request(left: 1), Address("10.0.0.2"), 6881, T0, admitted: false);
        Assert.Equal([At("10.0.0.1")], EndPoints(swarm));
        Assert.Equal([At("10.0.0.1")], PeersFor(swarm, Request(left: 1), "10.0.0.2").Select(p => p.EndPoint));
    }

    [Fact]
    public void Cluster_members_count_as_peers_unless_they_announced_themselves()
    {
        var swarm = new TrackedSwarm(Hash, T0);
        Join(swarm, "10.0.0.1", left: 0);
        swarm.ClusterPeers = [(At("10.0.0.1"), true), (At("10.0.0.5"), true), (At("10.0.0.6"), false)];
        Assert.Equal(new ScrapeEntry(Hash, 2, 0, 1), swarm.Counts());
        var forLeecher = PeersFor(swarm, Request(left: 1), "10.0.0.6");
        Assert.Equal([At("10.0.0.1"), At("10.0.0.5")], forLeecher.Select(p => p.EndPoint).Order(EndPointOrder));
        Assert.Equal([At("10.0.0.6")], PeersFor(swarm, Request(left: 0), "10.0.0.9").Select(p => p.EndPoint));
    }

    [Fact]
    public void Silent_peers_expire_after_the_expiry_and_a_swarm_that_had_a_returning_peer_ends_once_empty_that_long()
    {
        var swarm = new TrackedSwarm(Hash, T0);
        Join(swarm, "10.0.0.1", left: 0);
        Join(swarm, "10.0.0.1", left: 0);
        Join(swarm, "10.0.0.2", left: 1, at: T0.AddMinutes(5));
        Join(swarm, "10.0.0.2", left: 1, at: T0.AddMinutes(5));

        var (released, ended) = swarm.Sweep(T0 + Expiry, Expiry, Probation);
        Assert.Equal((2, 0, false), (swarm.Peers.Count, released.Count, ended)); // silent for exactly the expiry: kept

        (released, ended) = swarm.Sweep(T0 + Expiry + TimeSpan.FromSeconds(1), Expiry, Probation);
        Assert.Equal([At("10.0.0.2")], EndPoints(swarm));
        Assert.Equal([Address("10.0.0.1")], released);
        Assert.False(ended);

        var lastSeenNonEmpty = T0.AddMinutes(15);
        (released, ended) = swarm.Sweep(lastSeenNonEmpty, Expiry, Probation);
        Assert.Equal((1, 0, false), (swarm.Peers.Count, released.Count, ended));

        (released, ended) = swarm.Sweep(lastSeenNonEmpty + TimeSpan.FromSeconds(1), Expiry, Probation);
        Assert.Equal((0, 1, false), (swarm.Peers.Count, released.Count, ended));
        Assert.False(swarm.Sweep(lastSeenNonEmpty + Expiry, Expiry, Probation).Ended); // empty for exactly the expiry
        Assert.True(swarm.Sweep(lastSeenNonEmpty + Expiry + TimeSpan.FromSeconds(1), Expiry, Probation).Ended);
    }

    [Fact]
    public void A_peer_that_announced_once_goes_after_the_probation_and_its_swarm_with_it()
    {
        // A flood's torrent: one announce, never again.
        var swarm = new TrackedSwarm(Hash, T0);
        Join(swarm, "10.0.0.1", left: 0);
        Assert.True(swarm.OnProbation(Address("10.0.0.1"), 6881));
        Assert.Equal((0, false), (swarm.Sweep(T0 + Probation, Expiry, Probation).Released.Count, swarm.Sweep(T0 + Probation, Expiry, Probation).Ended));

        var (released, ended) = swarm.Sweep(T0 + Probation + TimeSpan.FromSeconds(1), Expiry, Probation);
        Assert.Equal([Address("10.0.0.1")], released);
        Assert.True(ended); // forgotten with its torrent, not an hour later
        Assert.Equal(0, swarm.Peers.Count);

        // Beside a returning peer, a one-time peer still goes after the probation, the returning one stays.
        swarm = new TrackedSwarm(Hash, T0);
        Join(swarm, "10.0.0.1", left: 0);
        Join(swarm, "10.0.0.1", left: 0);
        Join(swarm, "10.0.0.2", left: 1);
        (released, ended) = swarm.Sweep(T0 + Probation + TimeSpan.FromSeconds(1), Expiry, Probation);
        Assert.Equal([At("10.0.0.1")], EndPoints(swarm));
        Assert.Equal([Address("10.0.0.2")], released);
        Assert.False(ended);
    }

    [Fact]
    public void A_swarm_whose_only_peer_stopped_without_returning_ends_at_the_next_sweep()
    {
        var swarm = new TrackedSwarm(Hash, T0);
        Join(swarm, "10.0.0.1", left: 0);
        swarm.Announce(Request(left: 0, AnnounceEvent.Stopped), Address("10.0.0.1"), 6881, T0, admitted: false);
        Assert.True(swarm.Sweep(T0, Expiry, Probation).Ended);
    }

    [Fact]
    public void A_v4_mapped_address_is_recorded_as_ipv4()
    {
        Assert.Equal(IPAddress.Parse("10.0.0.1"), Address("::ffff:10.0.0.1").ToIPAddress());
        Assert.Equal(IPAddress.Parse("2001:db8::1"), Address("2001:db8::1").ToIPAddress());
        Assert.Equal(Address("10.0.0.1"), Address("::ffff:10.0.0.1"));
    }

    private static readonly Comparer<IPEndPoint> EndPointOrder = Comparer<IPEndPoint>.Create((a, b) => string.CompareOrdinal(a.ToString(), b.ToString()));

    private static IPEndPoint At(string ip) => new(IPAddress.Parse(ip), 6881);

    private static PeerAddress Address(string ip) => PeerAddress.From(IPAddress.Parse(ip));

    private static bool Knows(TrackedSwarm swarm, IPEndPoint endpoint) => swarm.Peers.IndexOf(PeerAddress.From(endpoint.Address), (ushort)endpoint.Port) >= 0;

    private static List<IPEndPoint> EndPoints(TrackedSwarm swarm) =>
        [.. Enumerable.Range(0, swarm.Peers.Count).Select(i => new IPEndPoint(swarm.Peers[i].Address.ToIPAddress(), swarm.Peers[i].Port))];

    private static TrackerServerPeers PeersFor(TrackedSwarm swarm, TrackerAnnounce request, string ip) =>
        swarm.PeersFor(request, Address(ip), 6881, new Random(1));

    private static void Join(TrackedSwarm swarm, string ip, long left, DateTimeOffset? at = null) =>
        swarm.Announce(Request(left), Address(ip), 6881, at ?? T0, admitted: true);

    private static TrackerAnnounce Request(long left, AnnounceEvent ev = AnnounceEvent.None, int numWant = 50) =>
        new(Hash, new byte[20], 6881, 0, 0, left, ev, numWant, true, true);
}
