using System.Net;
using Swarm.Protocol.Dht;
using Xunit;

namespace Swarm.Protocol.Tests.Dht;

/// <summary>The routing table on a hand-moved clock: time is a value passed in, moved by the test.</summary>
public sealed class RoutingTableTests
{
    private static readonly NodeId Self = new(new byte[20]);
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>An id sharing exactly <paramref name="prefix"/> leading bits with <see cref="Self"/> (all zeros).</summary>
    private static NodeId IdAt(int prefix, byte tail)
    {
        var b = new byte[20];
        b[prefix / 8] = (byte)(0x80 >> (prefix % 8));
        b[19] |= tail;
        return new NodeId(b);
    }

    private static DhtContact Node(NodeId id, int host) => new(id, new IPEndPoint(IPAddress.Parse($"10.0.{host / 250}.{(host % 250) + 1}"), 6881));

    [Fact]
    public void A_full_bucket_around_our_id_splits_and_far_buckets_do_not()
    {
        var t = RoutingTable.Empty(Self);
        for (var i = 0; i < 8; i++)
        {
            t = t.Observe(Node(IdAt(0, (byte)i), i), _now, answered: true).Table;
        }

        Assert.Single(t.Buckets);
        Assert.Equal(8, t.Count);

        // A ninth node near us: the only bucket splits, the far half keeps the eight, the near half takes it.
        t = t.Observe(Node(IdAt(5, 1), 100), _now, answered: true).Table;
        Assert.Equal(2, t.Buckets.Count);
        Assert.Equal(8, t.Buckets[0].Nodes.Count);
        Assert.Single(t.Buckets[1].Nodes);

        // A ninth far node: its bucket (0) is not the last, so it does not split; it waits as a replacement.
        var far = t.Observe(Node(IdAt(0, 200), 200), _now, answered: true);
        Assert.False(far.Added);
        Assert.Equal(9, far.Table.Count);
        Assert.Single(far.Table.Buckets[0].Replacements);
    }

    [Fact]
    public void A_questionable_node_is_pinged_before_it_is_replaced_and_stays_if_it_answers()
    {
        var t = RoutingTable.Empty(Self);
        for (var i = 0; i < 8; i++)
        {
            t = t.Observe(Node(IdAt(0, (byte)i), i), _now, answered: true).Table;
        }

        t = t.Observe(Node(IdAt(5, 1), 100), _now, answered: true).Table; // bucket 0 now fixed: far nodes only
        var newcomer = Node(IdAt(0, 50), 50);

        // All good and fresh: nothing to ping, the newcomer waits.
        Assert.Null(t.Observe(newcomer, _now, answered: true).PingFirst);

        // 16 minutes later the oldest is questionable: ping it first.
        _now += TimeSpan.FromMinutes(16);
        var r = t.Observe(newcomer, _now, answered: true);
        Assert.NotNull(r.PingFirst);
        var oldest = r.PingFirst!;
        t = r.Table;

        // It answers: it stays, refreshed.
        t = t.Observe(oldest.Contact, _now, answered: true).Table;
        Assert.Contains(t.Nodes, n => n.Id.Equals(oldest.Id) && n.LastSeen == _now);
        Assert.DoesNotContain(t.Nodes, n => n.Id.Equals(newcomer.Id));

        // It fails twice: the newcomer from the replacement cache takes its place.
        t = t.Failed(oldest.EndPoint).Failed(oldest.EndPoint);
        Assert.DoesNotContain(t.Nodes, n => n.Id.Equals(oldest.Id));
        Assert.Contains(t.Nodes, n => n.Id.Equals(newcomer.Id));
    }

    [Fact]
    public void One_host_holds_one_place_so_a_flood_of_ids_cannot_take_over()
    {
        var t = RoutingTable.Empty(Self);
        for (var i = 0; i < 100; i++)
        {
            t = t.Observe(new DhtContact(IdAt(i % 160, (byte)i), new IPEndPoint(IPAddress.Parse("8.8.8.8"), 1000 + i)), _now, answered: false).Table;
        }

        Assert.Equal(1, t.Count);

        // Local addresses (tests, LANs) are told apart by port, as each node there has a port of its own.
        var local = RoutingTable.Empty(Self);
        for (var i = 0; i < 4; i++)
        {
            local = local.Observe(new DhtContact(IdAt(i, 1), new IPEndPoint(IPAddress.Loopback, 1000 + i)), _now, answered: false, perEndpoint: true).Table;
        }

        Assert.Equal(4, local.Count);
    }

    [Fact]
    public void An_id_seen_from_another_address_does_not_move_the_node()
    {
        var id = IdAt(3, 1);
        var t = RoutingTable.Empty(Self).Observe(Node(id, 1), _now, answered: true).Table;
        t = t.Observe(Node(id, 2), _now, answered: true).Table;
        Assert.Equal(Node(id, 1).EndPoint, Assert.Single(t.Nodes).EndPoint);
    }

    [Fact]
    public void Closest_orders_by_xor_distance_and_leaves_out_bad_nodes()
    {
        var t = RoutingTable.Empty(Self);
        for (var i = 0; i < 20; i++)
        {
            t = t.Observe(Node(IdAt(i, 1), i), _now, answered: true).Table;
        }

        var target = IdAt(10, 0);
        var closest = t.Closest(target, 3);
        Assert.Equal(IdAt(10, 1), closest[0].Id);
        Assert.True(closest.Zip(closest.Skip(1)).All(p => target.CompareDistance(p.First.Id, p.Second.Id) <= 0));

        t = t.Failed(closest[0].EndPoint).Failed(closest[0].EndPoint);
        Assert.DoesNotContain(t.Closest(target, 3), n => n.Id.Equals(IdAt(10, 1)));
    }

    [Fact]
    public void Our_own_id_never_enters()
    {
        var t = RoutingTable.Empty(Self).Observe(Node(Self, 1), _now, answered: true).Table;
        Assert.Equal(0, t.Count);
    }
}
