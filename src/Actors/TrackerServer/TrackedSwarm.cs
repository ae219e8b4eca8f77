using System.Collections.Immutable;
using System.Net;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerServer;

/// <summary>One peer as the tracker remembers it: its peer id, how much it still lacks, when it last announced, and
/// whether it came back after its first announce (until then it is on probation: a short interval, a short expiry).</summary>
public sealed record TrackedPeer(IPEndPoint EndPoint, byte[] PeerId, long Left, DateTimeOffset LastSeen, bool Returned = false);

/// <summary>One torrent's swarm as the tracker sees it, as a value: who is remembered, whom an announce is answered
/// with, the scrape counts, and the expiry of silent peers. Its actor supplies the clock, the random source and the
/// node-wide <see cref="PeerBudget"/>.</summary>
/// <param name="ClusterPeers">Cluster members holding the torrent (from the gossip): counted and handed out as peers
/// unless they announced here themselves.</param>
/// <param name="EmptySince">The last sweep that found the swarm non-empty (or its creation).</param>
/// <param name="Returned">A peer came back to this swarm once at least: empty, it is then kept for one expiry (its
/// completions count); a swarm only ever announced once per peer (a flood of random info-hashes) ends when empty.</param>
public sealed record TrackedSwarm(
    InfoHash Hash,
    ImmutableDictionary<IPEndPoint, TrackedPeer> Peers,
    IReadOnlyList<(IPEndPoint EndPoint, bool Complete)> ClusterPeers,
    int Completed,
    DateTimeOffset EmptySince,
    bool Returned = false)
{
    /// <summary>Sweeps per <c>peer-expiry</c>: a silent peer is dropped at most a quarter of the period late.</summary>
    public const int SweepsPerExpiry = 4;

    public static TrackedSwarm Empty(InfoHash hash, DateTimeOffset now) =>
        new(hash, ImmutableDictionary<IPEndPoint, TrackedPeer>.Empty, [], 0, now);

    /// <summary>Where a peer is recorded: the address the request came from (IPv4 when it arrived v4-mapped) and the
    /// port it announced.</summary>
    public static IPEndPoint EndPointOf(IPAddress from, int port) => new(from.IsIPv4MappedToIPv6 ? from.MapToIPv4() : from, port);

    /// <summary>Whether an announce from <paramref name="endpoint"/> would remember a new peer, within
    /// <paramref name="maxPeers"/> for this torrent and <paramref name="maxPerAddress"/> peers of its address in this
    /// torrent (one machine announcing many ports cannot fill a swarm); the budgets must then have room as well.</summary>
    public bool WantsRoom(AnnounceEvent ev, IPEndPoint endpoint, int maxPeers, int maxPerAddress = int.MaxValue) =>
        ev != AnnounceEvent.Stopped && !Peers.ContainsKey(endpoint) && Peers.Count < maxPeers
            && (maxPerAddress >= maxPeers || Peers.Keys.Count(e => e.Address.Equals(endpoint.Address)) < maxPerAddress);

    /// <summary>The swarm after an announce, and the remembered peers it let go (their room goes back to the
    /// budgets). A stopped peer is forgotten; a known one is refreshed and has returned.</summary>
    /// <param name="admitted">Room was found for a new peer (<see cref="WantsRoom"/> and the budgets). Without it a new
    /// peer is answered but not remembered.</param>
    public (TrackedSwarm Swarm, IReadOnlyList<IPEndPoint> Released) Announce(TrackerAnnounce request, IPEndPoint endpoint, DateTimeOffset now, bool admitted)
    {
        var peers = Peers;
        IReadOnlyList<IPEndPoint> released = [];
        var returned = Returned;
        if (request.Event == AnnounceEvent.Stopped)
        {
            if (peers.ContainsKey(endpoint))
            {
                peers = peers.Remove(endpoint);
                released = [endpoint];
            }
        }
        else if (peers.ContainsKey(endpoint))
        {
            peers = peers.SetItem(endpoint, new TrackedPeer(endpoint, request.PeerId, request.Left, now, Returned: true));
            returned = true;
        }
        else if (admitted)
        {
            peers = peers.SetItem(endpoint, new TrackedPeer(endpoint, request.PeerId, request.Left, now));
        }

        var completed = request.Event == AnnounceEvent.Completed ? Completed + 1 : Completed;
        return (this with { Peers = peers, Completed = completed, Returned = returned }, released);
    }

    /// <summary>Whether <paramref name="endpoint"/> is remembered but has announced only once: it is then told to
    /// come back after the short probation interval.</summary>
    public bool OnProbation(IPEndPoint endpoint) => Peers.TryGetValue(endpoint, out var p) && !p.Returned;

    /// <summary>Whom the announcing peer is told about: everyone else, cluster members included; a seed only
    /// leechers; at most its <c>numwant</c>, picked at random when there are more.</summary>
    public IReadOnlyList<(IPEndPoint EndPoint, byte[] PeerId)> PeersFor(TrackerAnnounce request, IPEndPoint endpoint, Random random)
    {
        var members = ClusterPeers
            .Where(m => !Peers.ContainsKey(m.EndPoint) && !m.EndPoint.Equals(endpoint))
            .Select(m => (m.EndPoint, PeerId: new byte[20], Left: m.Complete ? 0L : 1L));
        var others = Peers.Values
            .Where(p => !p.EndPoint.Equals(endpoint))
            .Select(p => (p.EndPoint, p.PeerId, p.Left))
            .Concat(members)
            .ToList();
        var pool = request.Left == 0 ? others.Where(p => p.Left > 0).ToList() : others;
        var chosen = pool.Count <= request.NumWant ? pool : [.. pool.OrderBy(_ => random.Next()).Take(request.NumWant)];
        return [.. chosen.Select(p => (p.EndPoint, p.PeerId))];
    }

    /// <summary>Seeders, completions and leechers, cluster members that did not announce here included.</summary>
    public ScrapeEntry Counts()
    {
        var members = ClusterPeers.Where(m => !Peers.ContainsKey(m.EndPoint)).ToList();
        var seeders = Peers.Values.Count(p => p.Left == 0) + members.Count(m => m.Complete);
        return new ScrapeEntry(Hash, seeders, Completed, Peers.Count + members.Count - seeders);
    }

    /// <summary>The swarm without the peers silent for longer than <paramref name="expiry"/> (peers that announced
    /// only once: <paramref name="probationExpiry"/>), the peers it let go, and whether the tracker forgets the torrent:
    /// empty, and either no peer ever returned or empty for longer than <paramref name="expiry"/>.</summary>
    public (TrackedSwarm Swarm, IReadOnlyList<IPEndPoint> Released, bool Ended) Sweep(DateTimeOffset now, TimeSpan expiry, TimeSpan probationExpiry)
    {
        var expired = Peers.Values.Where(p => now - p.LastSeen > (p.Returned ? expiry : probationExpiry)).Select(p => p.EndPoint).ToList();
        var swarm = this with { Peers = Peers.RemoveRange(expired) };
        return swarm.Peers.Count > 0
            ? (swarm with { EmptySince = now }, expired, false)
            : (swarm, expired, !Returned || now - EmptySince > expiry);
    }
}
