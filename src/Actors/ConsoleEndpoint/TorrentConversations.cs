using Swarm.Actors.Catalog;
using Swarm.Actors.Clustering;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;
using static Swarm.Actors.ConsoleEndpoint.ConsoleSummaries;

namespace Swarm.Actors.ConsoleEndpoint;

/// <summary>The console's conversations about this node's torrents: list, add (file, magnet link, info-hash), pause,
/// resume, re-check, remove, show, peers and limits. Each is a short sequence of asks to the node, answered with data.</summary>
internal sealed class TorrentConversations(NodeQueries node, ConsoleNodeInfo info)
{
    public async Task<IConsoleReply> List()
    {
        var cluster = await node.ClusterState().ConfigureAwait(false);
        return new TorrentListing([.. (await node.Torrents().ConfigureAwait(false)).Select(t => Summarize(t) with { Replicas = CompleteCopies(cluster, t), Factor = cluster?.FactorOf(t.InfoHash) ?? 0 })]);
    }

    public async Task<IConsoleReply> Add(AddTorrentFile a)
    {
        TorrentMetainfo meta;
        try
        {
            meta = MetainfoParser.Parse(a.TorrentFile);
        }
        catch (Exception e) when (e is InvalidTorrentException or FormatException)
        {
            return new CommandFailed($"not a valid torrent: {e.Message}");
        }

        if (SavePath(a.SavePath) is not { } savePath)
        {
            return NotAbsolute(a.SavePath);
        }

        var reply = await node.AskWithin(new CatalogMessages.AddTorrent(meta, savePath, new TorrentOptions()), node.Timeout).ConfigureAwait(false);
        return await Added(reply, string.Empty, savePath).ConfigureAwait(false);
    }

    public async Task<IConsoleReply> AddByLink(AddByLink add)
    {
        var link = add.Link;
        if (link.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase))
        {
            MagnetLink magnet;
            try
            {
                magnet = MagnetLink.Parse(link);
            }
            catch (FormatException e)
            {
                return new CommandFailed($"invalid magnet link: {e.Message}");
            }

            if (SavePath(add.SavePath) is not { } target)
            {
                return NotAbsolute(add.SavePath);
            }

            // In a cluster, a member holding the torrent gives its metainfo at once (checked against the hash), as for an
            // add by info-hash; the link's peers and trackers are needed only when no member has it.
            // A holder too slow to answer in time falls back to the link; should its answer come later, the torrent
            // it adds supersedes the pending magnet.
            object? fromCluster = null;
            try
            {
                fromCluster = await node.AskWithin(new ClusterMessages.AddFromCluster(magnet.InfoHash.Hex, target, "magnet link"), node.Timeout / 2).ConfigureAwait(false);
            }
            catch (Akka.Actor.AskTimeoutException)
            {
            }

            if (fromCluster is CatalogMessages.TorrentAccepted accepted)
            {
                return await Added(accepted, " from the cluster (magnet link)", target).ConfigureAwait(false);
            }

            // Kept: journaled and listed at once, fetched until the metadata comes or the magnet is removed.
            var answer = await node.Ask<object>(new CatalogMessages.AddMagnet(magnet, target, new TorrentOptions(), Keep: true)).ConfigureAwait(false);
            return await Added(answer, " from its magnet link", target).ConfigureAwait(false);
        }

        if (!Protocol.InfoHash.TryParse(link, out var hash))
        {
            return new CommandFailed($"'{link}' is not a .torrent file, a magnet link or an info-hash");
        }

        if (SavePath(add.SavePath) is not { } savePath)
        {
            return NotAbsolute(add.SavePath);
        }

        var reply = await node.Ask<object>(new ClusterMessages.AddFromCluster(hash.Hex, savePath, "added from the console")).ConfigureAwait(false);
        return reply is ClusterMessages.NotClustered
            ? new CommandFailed($"adding {hash.Hex[..8]} by info-hash alone needs a cluster member holding it; this node is standalone, add the .torrent file")
            : await Added(reply, " from the cluster", savePath).ConfigureAwait(false);
    }

    public async Task<IConsoleReply> ChangeState(string query, object change, string verb)
    {
        var (hash, name) = await node.Resolve(query).ConfigureAwait(false);
        node.Tell(new CatalogMessages.ForTorrent(hash, change));
        // The torrent handles messages in order: this status reflects the change.
        var status = await node.StatusOf(hash).ConfigureAwait(false);
        var summary = Summarize(status);
        var expected = change switch
        {
            TorrentMessages.Pause => status.State == TorrentState.Paused,
            TorrentMessages.Resume => status.State is not (TorrentState.Paused or TorrentState.Error or TorrentState.Failed),
            _ => status.State != TorrentState.Failed,
        };
        return expected
            ? new Done($"{verb} {hash[..8]} ({name})", summary)
            : new Done($"{hash[..8]} ({name}) is {summary.State}{(status.Error is null ? string.Empty : $": {status.Error}")}", summary);
    }

    public async Task<IConsoleReply> Remove(RemoveNodeTorrent r)
    {
        var (hash, name) = await node.Resolve(r.Torrent, awaitingMetadata: true).ConfigureAwait(false);
        try
        {
            var reply = await node.AskWithin(new CatalogMessages.RemoveTorrent(hash, r.DeleteData), node.Timeout).ConfigureAwait(false);
            return reply switch
            {
                CatalogMessages.RemoveTorrentReply { DeleteError: { } error } => new CommandFailed($"removed {hash[..8]} ({name}), but deleting its data failed: {error}"),
                CatalogMessages.RemoveTorrentReply removed => new Done(
                    r.DeleteData ? $"removed {hash[..8]} ({name}) and deleted {removed.FilesDeleted} file(s)" : $"removed {hash[..8]} ({name}); its data is kept",
                    null),
                CatalogMessages.UnknownTorrent => new CommandFailed($"torrent {hash[..8]} was removed meanwhile"),
                _ => new CommandFailed($"unexpected answer from the node: {reply}"),
            };
        }
        catch (Akka.Actor.AskTimeoutException)
        {
            // The removal is journaled first; only the torrent's stop (and the deletion after it) is late.
            return new CommandFailed($"{hash[..8]} ({name}) is removed, but did not stop within {node.Timeout.TotalSeconds:0} s{(r.DeleteData ? "; its files are deleted once it stops" : string.Empty)}");
        }
    }

    public async Task<IConsoleReply> Show(string query)
    {
        var (hash, _) = await node.Resolve(query, awaitingMetadata: true).ConfigureAwait(false);
        return Detail(await node.AskTorrent<TorrentDetails>(hash, new TorrentMessages.GetDetails()).ConfigureAwait(false));
    }

    public async Task<IConsoleReply> Peers(string query)
    {
        var (hash, name) = await node.Resolve(query).ConfigureAwait(false);
        var status = await node.StatusOf(hash).ConfigureAwait(false);
        return new PeerListing(hash, name, ConsoleSummaries.Peers(status))
        {
            WebSeeds = [.. status.WebSeeds.Select(w => new WebSeedSummary(w.Url, w.State, w.Downloaded, w.DownloadRate, w.Error, w.RetryAt))], // issue 17
        };
    }

    public async Task<IConsoleReply> Limit(SetLimits l)
    {
        string? hash = null;
        string? name = null;
        if (l.Torrent is not null)
        {
            (hash, name) = await node.Resolve(l.Torrent).ConfigureAwait(false);
        }

        var set = await node.Ask<CatalogMessages.RateLimitsSet>(new CatalogMessages.ChangeRateLimits(hash, l.DownloadLimit, l.UploadLimit)).ConfigureAwait(false);
        return new Limits(hash, name, set.DownloadLimit, set.UploadLimit);
    }

    /// <summary>The folder an add saves to on this node, normalized; null when it is not absolute. A relative path from a
    /// console has no meaning on the node (whose working folder the console cannot know, and which may be another
    /// machine): `swarm console` resolves -o against its own working folder before sending, anything else is refused.</summary>
    private string? SavePath(string? given)
    {
        var path = given ?? info.DefaultSavePath;
        return Path.IsPathFullyQualified(path) ? Path.GetFullPath(path) : null;
    }

    private static CommandFailed NotAbsolute(string? given) =>
        new($"save folder '{Protocol.Printable.ForTerminal(given ?? string.Empty)}' is not an absolute path on the node");

    /// <summary>The answer to an add, whichever way the torrent came (file, magnet, cluster).</summary>
    private async Task<IConsoleReply> Added(object reply, string how, string savePath)
    {
        switch (reply)
        {
            case CatalogMessages.TorrentAccepted accepted:
                var status = await node.StatusOf(accepted.InfoHash).ConfigureAwait(false);
                return new Done($"added {accepted.InfoHash[..8]} ({status.Name}){how}, saving to {savePath}", Summarize(status));
            case CatalogMessages.MagnetPending pending:
                var fetching = await node.StatusOf(pending.InfoHash).ConfigureAwait(false);
                return new Done($"added {pending.InfoHash[..8]} ({pending.Name}){how}, saving to {pending.SavePath}; fetching its metadata from peers", Summarize(fetching));
            case CatalogMessages.AddTorrentRejected rejected:
                return new CommandFailed(rejected.Reason);
            case ClusterMessages.AddFromClusterFailed failed:
                return new CommandFailed(failed.Reason);
            default:
                return new CommandFailed($"unexpected answer from the node: {reply}");
        }
    }
}
