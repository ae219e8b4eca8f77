using System.Collections.Immutable;
using System.Net;

namespace Swarm.Protocol.Dht;

/// <summary>Peers other nodes announced to us (announce_peer), answered to get_peers. Bounded in info-hashes and in
/// peers per info-hash so a flood of announces costs a fixed amount of memory; an entry expires unless re-announced.</summary>
public sealed record PeerStore(ImmutableDictionary<NodeId, ImmutableDictionary<IPEndPoint, DateTimeOffset>> ByHash, int MaxTorrents, int MaxPeersPerTorrent, TimeSpan Expiry)
{
    public static PeerStore Create(int maxTorrents, int maxPeersPerTorrent, TimeSpan expiry) => new([], maxTorrents, maxPeersPerTorrent, expiry);

    public int TorrentCount => ByHash.Count;

    public PeerStore Add(NodeId infoHash, IPEndPoint peer, DateTimeOffset now)
    {
        var peers = ByHash.GetValueOrDefault(infoHash);
        if (peers is null)
        {
            if (ByHash.Count >= MaxTorrents)
            {
                return this;
            }

            peers = [];
        }

        if (!peers.ContainsKey(peer) && peers.Count >= MaxPeersPerTorrent)
        {
            // Full: the announce that is oldest gives way (the likeliest to have left).
            peers = peers.Remove(peers.MinBy(p => p.Value).Key);
        }

        return this with { ByHash = ByHash.SetItem(infoHash, peers.SetItem(peer, now)) };
    }

    public IReadOnlyList<IPEndPoint> Peers(NodeId infoHash, DateTimeOffset now, int max) =>
        ByHash.TryGetValue(infoHash, out var peers) ? [.. peers.Where(p => now - p.Value < Expiry).Select(p => p.Key).Take(max)] : [];

    public PeerStore Expire(DateTimeOffset now)
    {
        var b = ByHash.ToBuilder();
        foreach (var (hash, peers) in ByHash)
        {
            var live = peers.RemoveRange(peers.Where(p => now - p.Value >= Expiry).Select(p => p.Key));
            if (live.IsEmpty)
            {
                b.Remove(hash);
            }
            else
            {
                b[hash] = live;
            }
        }

        return this with { ByHash = b.ToImmutable() };
    }
}
