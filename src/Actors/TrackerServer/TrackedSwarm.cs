using System.Net;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerServer;

/// <summary>One torrent's swarm as the tracker sees it: who is remembered (in a compact <see cref="PeerTable"/>), whom
/// an announce is answered with, the scrape counts, and the expiry of silent peers. Owned and changed by its one
/// actor (a copy per announce would cost more than the peers themselves); the actor supplies the clock, the random
/// source and the node-wide budgets.</summary>
public sealed class TrackedSwarm
{
    /// <summary>Sweeps per <c>peer-expiry</c>: a silent peer is dropped at most a quarter of the period late.</summary>
    public const int SweepsPerExpiry = 4;

    // Peers' last-seen times are whole seconds since the swarm began: 4 bytes a peer instead of a DateTimeOffset.
    private readonly DateTimeOffset _epoch;

    public TrackedSwarm(InfoHash hash, DateTimeOffset now)
    {
        Hash = hash;
        _epoch = now;
        EmptySince = now;
    }

    public InfoHash Hash { get; }

    public PeerTable Peers { get; } = new();

    /// <summary>Cluster members holding the torrent (from the gossip): counted and handed out as peers unless they
    /// announced here themselves.</summary>
    public IReadOnlyList<(IPEndPoint EndPoint, bool Complete)> ClusterPeers { get; set; } = [];

    public int Completed { get; private set; }

    /// <summary>The last sweep that found the swarm non-empty (or its creation).</summary>
    public DateTimeOffset EmptySince { get; private set; }

    /// <summary>A peer came back to this swarm once at least: empty, it is then kept for one expiry (its completions
    /// count); a swarm only ever announced once per peer (a flood of random info-hashes) ends when empty.</summary>
    public bool Returned { get; private set; }

    /// <summary>When a peer with this entry last announced.</summary>
    public DateTimeOffset LastSeen(PeerEntry peer) => _epoch + TimeSpan.FromSeconds(peer.Seen);

    /// <summary>Whether an announce from <paramref name="address"/>:<paramref name="port"/> would remember a new peer,
    /// within <paramref name="maxPeers"/> for this torrent and <paramref name="maxPerAddress"/> peers of its address
    /// in this torrent (one machine announcing many ports cannot fill a swarm); the budgets must then have room as
    /// well.</summary>
    public bool WantsRoom(AnnounceEvent ev, PeerAddress address, ushort port, int maxPeers, int maxPerAddress = int.MaxValue) =>
        ev != AnnounceEvent.Stopped && Peers.Count < maxPeers && Peers.IndexOf(address, port) < 0
            && (maxPerAddress >= maxPeers || Peers.CountOf(address) < maxPerAddress);

    /// <summary>Applies an announce; returns the address of a remembered peer it let go (its room goes back to the
    /// budgets), or null. A stopped peer is forgotten; a known one is refreshed and has returned.</summary>
    /// <param name="admitted">Room was found for a new peer (<see cref="WantsRoom"/> and the budgets). Without it a new
    /// peer is answered but not remembered.</param>
    public PeerAddress? Announce(TrackerAnnounce request, PeerAddress address, ushort port, DateTimeOffset now, bool admitted)
    {
        if (request.Event == AnnounceEvent.Completed)
        {
            Completed++;
        }

        var known = Peers.IndexOf(address, port);
        if (request.Event == AnnounceEvent.Stopped)
        {
            if (known < 0)
            {
                return null;
            }

            Peers.RemoveAt(known);
            return address;
        }

        if (known >= 0)
        {
            Peers.Refresh(known, request.PeerId, request.Left == 0, Second(now));
            Returned = true;
        }
        else if (admitted)
        {
            Peers.Add(address, port, request.PeerId, request.Left == 0, Second(now));
        }

        return null;
    }

    /// <summary>Whether the peer is remembered but has announced only once: it is then told to come back after the
    /// short probation interval.</summary>
    public bool OnProbation(PeerAddress address, ushort port) => Peers.IndexOf(address, port) is var i and >= 0 && !Peers[i].Returned;

    /// <summary>Whom the announcing peer is told about: everyone else, cluster members included; a seed only
    /// leechers; at most its <c>numwant</c>. The walk starts at a random place and wraps, so each announce sees
    /// another slice of a large swarm at the cost of the peers it hands out, not of the swarm's size; it stops once
    /// every peer that may be handed out was, so a seed in a swarm of seeds costs nothing.</summary>
    public TrackerServerPeers PeersFor(TrackerAnnounce request, PeerAddress address, ushort port, Random random)
    {
        if (request.NumWant <= 0)
        {
            return request.Compact || request.NoPeerId ? TrackerServerPeers.None : new TrackerServerPeers([], [], []);
        }

        var members = ClusterPeers.Count == 0 ? [] : ClusterPeers.Where(m => !IsKnown(m.EndPoint) && !Is(m.EndPoint, address, port)).ToList();
        var seed = request.Left == 0;
        var self = Peers.IndexOf(address, port);
        var remaining = (seed ? Peers.Count - Peers.Seeds : Peers.Count) - (self >= 0 && !(seed && Peers.IsSeedAt(self)) ? 1 : 0);
        foreach (var (_, complete) in members)
        {
            remaining += seed && complete ? 0 : 1;
        }

        var builder = new TrackerServerPeers.Builder(Math.Min(request.NumWant, remaining), withPeerIds: !request.Compact && !request.NoPeerId);
        var total = Peers.Count + members.Count;
        Span<byte> v6 = stackalloc byte[16];
        var start = total == 0 ? 0 : random.Next(total);
        for (var n = 0; n < total && !builder.IsFull; n++)
        {
            var i = start + n < total ? start + n : start + n - total;
            if (i < Peers.Count)
            {
                if (i == self || (seed && Peers.IsSeedAt(i)))
                {
                    continue;
                }

                Add(builder, Peers.AddressAt(i), Peers.PortAt(i), Peers.PeerIdAt(i), v6);
            }
            else
            {
                var (endpoint, complete) = members[i - Peers.Count];
                if (seed && complete)
                {
                    continue;
                }

                Add(builder, PeerAddress.From(endpoint.Address), (ushort)endpoint.Port, NoPeerId, v6);
            }
        }

        return builder.Build();
    }

    /// <summary>Seeders, completions and leechers, cluster members that did not announce here included.</summary>
    public ScrapeEntry Counts()
    {
        var seeders = Peers.Seeds;
        var leechers = Peers.Count - Peers.Seeds;
        foreach (var (endpoint, complete) in ClusterPeers)
        {
            if (!IsKnown(endpoint))
            {
                seeders += complete ? 1 : 0;
                leechers += complete ? 0 : 1;
            }
        }

        return new ScrapeEntry(Hash, seeders, Completed, leechers);
    }

    /// <summary>Forgets the peers silent for longer than <paramref name="expiry"/> (peers that announced only once:
    /// <paramref name="probationExpiry"/>); returns their addresses, and whether the tracker forgets the torrent:
    /// empty, and either no peer ever returned or empty for longer than <paramref name="expiry"/>.</summary>
    public (IReadOnlyList<PeerAddress> Released, bool Ended) Sweep(DateTimeOffset now, TimeSpan expiry, TimeSpan probationExpiry)
    {
        var second = Second(now);
        var limit = (long)expiry.TotalSeconds;
        var probationLimit = (long)probationExpiry.TotalSeconds;
        var released = new List<PeerAddress>();
        for (var i = Peers.Count - 1; i >= 0; i--)
        {
            var p = Peers[i];
            if ((long)second - p.Seen > (p.Returned ? limit : probationLimit))
            {
                released.Add(p.Address);
                Peers.RemoveAt(i);
            }
        }

        if (Peers.Count > 0)
        {
            EmptySince = now;
            return (released, false);
        }

        return (released, !Returned || now - EmptySince > expiry);
    }

    // A cluster member did not announce here: its peer id is unknown, so zeros are handed out.
    private static readonly byte[] NoPeerId = new byte[PeerTable.PeerIdLength];

    private static void Add(TrackerServerPeers.Builder builder, PeerAddress address, ushort port, ReadOnlySpan<byte> peerId, Span<byte> v6)
    {
        if (address.IsV4)
        {
            builder.AddV4(address.V4, port, peerId);
        }
        else
        {
            address.WriteV6(v6);
            builder.AddV6(v6, port, peerId);
        }
    }

    private int Second(DateTimeOffset now) => (int)Math.Max(0, (now - _epoch).Ticks / TimeSpan.TicksPerSecond);

    private bool IsKnown(IPEndPoint endpoint) => Peers.IndexOf(PeerAddress.From(endpoint.Address), (ushort)endpoint.Port) >= 0;

    private static bool Is(IPEndPoint endpoint, PeerAddress address, ushort port) => endpoint.Port == port && PeerAddress.From(endpoint.Address) == address;
}
