using Swarm.Actors.Catalog;
using Swarm.Actors.Clustering;
using Swarm.Actors.Torrent;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Actors.ConsoleEndpoint;

/// <summary>The console's conversations about the cluster: members, search, every torrent held anywhere, and a
/// torrent's copies and replication factor. Answered from this member's view of the gossip.</summary>
internal sealed class ClusterConversations(NodeQueries node)
{
    public async Task<IConsoleReply> Members()
    {
        var c = await node.Clustered().ConfigureAwait(false);
        return new ClusterInfo(c.Self, c.Leader, [.. c.Members.Select(m => new ClusterMember(m.Address, m.Status, m.Reachable, m.IsLeader, m.IsSelf, m.NodeId, m.PeerEndPoint, m.Torrents, m.CompleteTorrents))]);
    }

    /// <summary>A one-line description of this node's place in the cluster, for the node's status.</summary>
    public async Task<string> Role()
    {
        if (await node.ClusterState().ConfigureAwait(false) is not { } c)
        {
            return "standalone";
        }

        var self = c.Members.FirstOrDefault(m => m.IsSelf);
        return $"{self?.Status ?? "joining"} member of {c.Members.Length} ({c.Members.Count(m => m.Status == "up")} up){(self?.IsLeader == true ? ", leader" : string.Empty)}; {c.Self}";
    }

    public async Task<IConsoleReply> Search(string[] words)
    {
        if (words.Length == 0)
        {
            return new CommandFailed("search needs at least one word");
        }

        var reply = await node.Ask<object>(new ClusterMessages.SearchCluster(words)).ConfigureAwait(false);
        if (reply is ClusterMessages.SearchResults r)
        {
            return new SearchListing([.. r.Results.Select(h => new SearchHit(h.InfoHash, h.Name, h.Size, h.Copies, h.Members))], r.Unanswered);
        }

        // Standalone: this node's own catalog.
        var hits = await node.Ask<CatalogMessages.CatalogHits>(new CatalogMessages.SearchCatalog(words)).ConfigureAwait(false);
        var local = (await node.Torrents().ConfigureAwait(false)).ToDictionary(t => t.InfoHash, StringComparer.Ordinal);
        return new SearchListing(
            [.. hits.Hits.Select(h => new SearchHit(h.InfoHash, h.Name, h.Size, local.TryGetValue(h.InfoHash, out var t) && t.State == TorrentState.Seeding ? 1 : 0, ["this node"])).OrderByDescending(h => h.Copies).ThenBy(h => h.Name, StringComparer.Ordinal)],
            []);
    }

    public async Task<IConsoleReply> Torrents()
    {
        var c = await node.Clustered().ConfigureAwait(false);
        var usable = c.UsableAddresses();
        var torrents = c.Holdings
            .SelectMany(h => h.Torrents.Select(t => (Holder: h, Torrent: t)))
            .GroupBy(x => x.Torrent.InfoHash, StringComparer.Ordinal)
            .Select(g =>
            {
                var first = g.First().Torrent;
                return new ClusterTorrent(
                    g.Key,
                    first.Name,
                    first.Size,
                    c.FactorOf(g.Key),
                    g.Count(x => x.Torrent.Complete && usable.Contains(x.Holder.Address)),
                    g.Count(x => !x.Torrent.Complete && usable.Contains(x.Holder.Address)),
                    [.. g.Select(x => x.Holder.Address).Order(StringComparer.Ordinal)]);
            })
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToArray();
        return new ClusterTorrentListing(torrents);
    }

    public async Task<IConsoleReply> Replicas(Replicas r)
    {
        var c = await node.Clustered().ConfigureAwait(false);
        // Any torrent of the cluster, not only this member's.
        if (TorrentQuery.Find(c.Holdings.SelectMany(h => h.Torrents).Select(t => (t.InfoHash, t.Name)), r.Torrent, " of the cluster", out var error) is not { } found)
        {
            return new CommandFailed(error!);
        }

        var (hash, name) = found;
        if (r.Factor is { } wanted)
        {
            if (wanted is < 0 or > 100)
            {
                return new CommandFailed($"a replication factor is between 1 and 100 (0 = the cluster default), not {wanted}");
            }

            await node.Ask<ClusterMessages.ReplicationFactorSet>(new ClusterMessages.SetReplicationFactor(hash, wanted == 0 ? null : wanted)).ConfigureAwait(false);
        }

        var usable = c.UsableAddresses();
        var holders = c.Holdings
            .Select(h => (Holder: h, Torrent: h.Find(hash)))
            .Where(x => x.Torrent is not null)
            .Select(x => new ReplicaHolder(
                x.Holder.Address,
                x.Holder.NodeId,
                x.Torrent!.Complete,
                x.Torrent.Pieces == 0 ? 0 : (double)x.Torrent.Verified / x.Torrent.Pieces,
                usable.Contains(x.Holder.Address)))
            .OrderBy(h => h.Address, StringComparer.Ordinal)
            .ToArray();
        var factor = r.Factor is { } set ? (set == 0 ? c.DefaultReplicationFactor : set) : c.FactorOf(hash);
        var isDefault = r.Factor is { } given ? given == 0 : !c.ReplicationFactors.ContainsKey(hash);
        return new ReplicaInfo(hash, name, factor, isDefault, holders.Count(h => h.Complete && h.Usable), holders);
    }
}
