using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.Clustering;
using Swarm.Actors.Torrent;

namespace Swarm.Actors.ConsoleEndpoint;

/// <summary>The node as a console request asks it: every ask bounded by the command timeout, and every answer a command
/// cannot go on with turned into a <see cref="ConsoleCommandException"/> carrying the line the person reads.</summary>
internal sealed class NodeQueries(IActorRef node, TimeSpan timeout)
{
    public TimeSpan Timeout => timeout;

    public void Tell(object message) => node.Tell(message);

    /// <summary>An ask whose timeout the caller handles itself (it means something there: a slow cluster, a late stop).</summary>
    public Task<object> AskWithin(object message, TimeSpan within) => node.Ask(message, within);

    public async Task<T> Ask<T>(object message)
    {
        try
        {
            return await node.Ask<T>(message, timeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new ConsoleCommandException($"the node did not answer within {timeout.TotalSeconds:0} s ({message.GetType().Name})");
        }
    }

    public async Task<IReadOnlyList<TorrentStatus>> Torrents() =>
        (await Ask<CatalogMessages.TorrentList>(new CatalogMessages.ListTorrents()).ConfigureAwait(false)).Torrents;

    /// <summary>The cluster as this member sees it; null on a standalone node.</summary>
    public async Task<ClusterMessages.ClusterStateReply?> ClusterState() =>
        await Ask<object>(new ClusterMessages.GetClusterState()).ConfigureAwait(false) as ClusterMessages.ClusterStateReply;

    /// <summary>The cluster state, for commands that only make sense in a cluster.</summary>
    public async Task<ClusterMessages.ClusterStateReply> Clustered() =>
        await ClusterState().ConfigureAwait(false) ?? throw new ConsoleCommandException("this node is standalone, not a cluster member");

    /// <param name="awaitingMetadata">Accept a magnet whose metadata is still being fetched (remove, show); other
    /// commands have nothing to act on yet and say so.</param>
    public async Task<(string Hash, string Name)> Resolve(string query, bool awaitingMetadata = false) =>
        await Ask<object>(new CatalogMessages.ResolveTorrent(query)).ConfigureAwait(false) switch
        {
            CatalogMessages.TorrentResolved { AwaitingMetadata: true } r when !awaitingMetadata =>
                throw new ConsoleCommandException($"{r.InfoHash[..8]} ({r.Name}) is still fetching its metadata: until it comes it can only be shown or removed"),
            CatalogMessages.TorrentResolved r => (r.InfoHash, r.Name),
            CatalogMessages.TorrentNotResolved n => throw new ConsoleCommandException(n.Reason),
            var other => throw new ConsoleCommandException($"unexpected answer from the node: {other}"),
        };

    public Task<TorrentStatus> StatusOf(string hash) => AskTorrent<TorrentStatus>(hash, new TorrentMessages.GetStatus());

    public async Task<T> AskTorrent<T>(string hash, object message)
    {
        var reply = await Ask<object>(new CatalogMessages.ForTorrent(hash, message)).ConfigureAwait(false);
        return reply switch
        {
            T t => t,
            CatalogMessages.UnknownTorrent => throw new ConsoleCommandException($"torrent {hash[..8]} is not running on this node (its entry could not be started; see the node's log)"),
            _ => throw new ConsoleCommandException($"unexpected answer from the node: {reply}"),
        };
    }
}

/// <summary>A command that cannot be done, with the reason the person reads (answered as a CommandFailed).</summary>
internal sealed class ConsoleCommandException(string message) : Exception(message);
