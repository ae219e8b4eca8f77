using System.Net;
using Swarm.Actors.TrackerServer;
using Xunit;

namespace Swarm.Actors.Tests.TrackerServer;

/// <summary>The compact table of one torrent's peers against a plain dictionary doing the same work.</summary>
public sealed class PeerTableTests
{
    [Fact]
    public void Finds_counts_refreshes_and_forgets_like_a_dictionary_through_growth_and_shrinking()
    {
        var table = new PeerTable();
        var model = new Dictionary<(PeerAddress, ushort), (bool Seed, int Seen, bool Returned, byte Id)>();
        var random = new Random(7);
        // Few addresses and ports: long probe runs, many collisions, many removals of entries others were moved past.
        PeerAddress RandomAddress() => random.Next(4) == 0
            ? PeerAddress.From(IPAddress.Parse($"2001:db8::{random.Next(300):x}"))
            : PeerAddress.From(new IPAddress([10, 0, (byte)random.Next(3), (byte)random.Next(256)]));
        for (var step = 0; step < 60_000; step++)
        {
            // Grow to a few thousand, then shrink back down, so both resizes run.
            var growing = step < 30_000;
            var address = RandomAddress();
            var port = (ushort)(6881 + random.Next(4));
            var i = table.IndexOf(address, port);
            Assert.Equal(model.ContainsKey((address, port)), i >= 0);
            var id = (byte)random.Next(256);
            if (i < 0 && (growing || random.Next(4) == 0))
            {
                var seed = random.Next(2) == 0;
                table.Add(address, port, Enumerable.Repeat(id, 20).ToArray(), seed, step);
                model[(address, port)] = (seed, step, false, id);
            }
            else if (i >= 0 && random.Next(growing ? 3 : 1) == 0)
            {
                table.RemoveAt(i);
                model.Remove((address, port));
            }
            else if (i >= 0)
            {
                table.Refresh(i, Enumerable.Repeat(id, 20).ToArray(), seed: false, step);
                model[(address, port)] = (false, step, true, id);
            }

            if (step % 5_000 == 0 || step == 59_999)
            {
                Check(table, model);
            }
        }
    }

    [Fact]
    public void Counts_the_ports_of_one_address()
    {
        var table = new PeerTable();
        var home = PeerAddress.From(IPAddress.Parse("10.0.0.1"));
        for (ushort port = 1; port <= 5; port++)
        {
            table.Add(home, port, new byte[20], seed: false, 0);
        }

        table.Add(PeerAddress.From(IPAddress.Parse("10.0.0.2")), 1, new byte[20], seed: true, 0);
        Assert.Equal((5, 1, 6, 1), (table.CountOf(home), table.CountOf(PeerAddress.From(IPAddress.Parse("10.0.0.2"))), table.Count, table.Seeds));
        table.RemoveAt(table.IndexOf(home, 3));
        Assert.Equal(4, table.CountOf(home));
        Assert.Equal(-1, table.IndexOf(home, 3));
        Assert.Equal(0, table.CountOf(PeerAddress.From(IPAddress.Parse("10.0.0.3"))));
    }

    [Fact]
    public void An_IPv6_address_whose_short_key_equals_an_IPv4_address_is_another_peer()
    {
        // ::10.0.0.1 (IPv4-compatible, not v4-mapped) folds to the same 32-bit key as 10.0.0.1: only the IPv6 side
        // entry tells them apart.
        var v4 = PeerAddress.From(IPAddress.Parse("10.0.0.1"));
        var v6 = new PeerAddress(0, 0x0A00_0001);
        var table = new PeerTable();
        table.Add(v4, 1, new byte[20], seed: false, 0);
        table.Add(v6, 1, new byte[20], seed: true, 0);
        Assert.Equal((0, 1, 1, 1), (table.IndexOf(v4, 1), table.IndexOf(v6, 1), table.CountOf(v4), table.CountOf(v6)));
        Assert.Equal((v4, v6), (table.AddressAt(0), table.AddressAt(1)));
        table.RemoveAt(0);
        Assert.Equal((-1, 0, v6, true), (table.IndexOf(v4, 1), table.IndexOf(v6, 1), table[0].Address, table[0].Seed));
        table.Refresh(0, new byte[20], seed: false, 5);
        Assert.Equal((v6, 0), (table.AddressAt(0), table.IndexOf(v6, 1)));
    }

    [Fact]
    public void A_peer_id_longer_or_shorter_than_20_bytes_is_cut_or_padded_and_nothing_past_the_count_is_read()
    {
        var table = new PeerTable();
        table.Add(PeerAddress.From(IPAddress.Loopback), 1, Enumerable.Repeat((byte)1, 25).ToArray(), seed: false, 0);
        table.Add(PeerAddress.From(IPAddress.Loopback), 2, [9], seed: false, 0);
        Assert.Equal(Enumerable.Repeat((byte)1, 20), table.PeerIdAt(0).ToArray());
        Assert.Equal([9, .. new byte[19]], table.PeerIdAt(1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => table[2]);
    }

    private static void Check(PeerTable table, Dictionary<(PeerAddress, ushort), (bool Seed, int Seen, bool Returned, byte Id)> model)
    {
        Assert.Equal(model.Count, table.Count);
        Assert.Equal(model.Values.Count(v => v.Seed), table.Seeds);
        for (var i = 0; i < table.Count; i++)
        {
            var e = table[i];
            var expected = model[(e.Address, e.Port)];
            Assert.Equal((expected.Seed, expected.Seen, expected.Returned), (e.Seed, e.Seen, e.Returned));
            Assert.Equal(Enumerable.Repeat(expected.Id, 20), table.PeerIdAt(i).ToArray());
            Assert.Equal(i, table.IndexOf(e.Address, e.Port));
        }

        foreach (var group in model.Keys.GroupBy(k => k.Item1))
        {
            Assert.Equal(group.Count(), table.CountOf(group.Key));
        }
    }
}
