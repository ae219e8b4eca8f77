using System.Collections.Immutable;
using System.Net;

namespace Swarm.Actors.Clustering;

/// <summary>New peers for one local torrent: the other members holding it.</summary>
public sealed record TorrentPeers(string InfoHash, IReadOnlyList<IPEndPoint> Peers);

/// <summary>One gossip change turned into peers.</summary>
/// <param name="TrackerPeers">For every public torrent, the peer endpoints of the usable members holding it (this
/// one included), for the embedded tracker.</param>
/// <param name="NewPeers">Local torrents whose member peers changed since they were last fed, with their peers now.</param>
public sealed record PeerFeedStep(PeerFeed Feed, IReadOnlyDictionary<string, IReadOnlyList<(IPEndPoint EndPoint, bool Complete)>> TrackerPeers, ImmutableArray<TorrentPeers> NewPeers);

/// <summary>Which members' peer endpoints become peers of which local torrents: every other usable member holding a
/// public torrent this one holds is dialled like any peer, so members find each other without a tracker. Remembers
/// what each torrent was last given so that an unchanged gossip feeds nothing again.</summary>
/// <param name="Sent">By info-hash, the endpoints (sorted) last given to the local torrent, or found empty.</param>
public sealed record PeerFeed(ImmutableDictionary<string, ImmutableArray<string>> Sent)
{
    public static readonly PeerFeed Empty = new(ImmutableDictionary.Create<string, ImmutableArray<string>>(StringComparer.Ordinal));

    /// <param name="usable">Entries of the usable members (up, reachable, same protocol version), this one included.</param>
    /// <param name="selfKey">This member's key: its own endpoint is never its own peer.</param>
    /// <param name="local">This member's torrents as last published.</param>
    public PeerFeedStep Next(IEnumerable<MemberHoldings> usable, string selfKey, IEnumerable<TorrentHolding> local)
    {
        // Public torrents of usable members, one pass: every holder feeds the tracker, the others feed our torrents.
        var holders = usable
            .Where(h => IPEndPoint.TryParse(h.PeerEndPoint, out _))
            .SelectMany(h => h.Torrents.Where(t => !t.Private).Select(t => (t.InfoHash, t.Complete, h.Member, EndPoint: IPEndPoint.Parse(h.PeerEndPoint))))
            .GroupBy(x => x.InfoHash, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var trackerPeers = holders.ToDictionary(
            kv => kv.Key,
            kv => (IReadOnlyList<(IPEndPoint, bool)>)[.. kv.Value.Select(x => (x.EndPoint, x.Complete))],
            StringComparer.Ordinal);

        var sent = Sent;
        var fresh = ImmutableArray.CreateBuilder<TorrentPeers>();
        foreach (var torrent in local)
        {
            var others = holders.TryGetValue(torrent.InfoHash, out var l)
                ? l.Where(x => x.Member != selfKey).Select(x => x.EndPoint).OrderBy(e => e.ToString(), StringComparer.Ordinal).ToList()
                : [];
            ImmutableArray<string> endpoints = [.. others.Select(e => e.ToString())];
            if (sent.TryGetValue(torrent.InfoHash, out var before) && before.SequenceEqual(endpoints))
            {
                continue;
            }

            sent = sent.SetItem(torrent.InfoHash, endpoints);
            if (others.Count > 0)
            {
                fresh.Add(new TorrentPeers(torrent.InfoHash, others));
            }
        }

        return new PeerFeedStep(new PeerFeed(sent), trackerPeers, fresh.ToImmutable());
    }
}
