using Akka.Event;
using Swarm.Actors.Catalog;
using Swarm.Actors.Dht;
using Swarm.Actors.Torrent;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Actors.ConsoleEndpoint;

/// <summary>The console's commands about the node itself: its status, its log level, and stopping it.</summary>
internal sealed class NodeConversations(NodeQueries node, ClusterConversations cluster, ConsoleNodeInfo info, ILoggingAdapter log)
{
    /// <summary>Long enough for the reply to leave before the node's stop closes this endpoint too.</summary>
    private static readonly TimeSpan ShutdownAfterReply = TimeSpan.FromMilliseconds(200);

    public async Task<IConsoleReply> Status()
    {
        // Asked all at once: the answer waits for the slowest (listing every torrent), not for the four in a row.
        var listing = node.Torrents();
        var limitsAsked = node.Ask<CatalogMessages.RateLimitsSet>(new CatalogMessages.ChangeRateLimits(null, null, null));
        var dhtAsked = Dht();
        var role = cluster.Role();
        await Task.WhenAll(listing, limitsAsked, dhtAsked, role).ConfigureAwait(false);
        var torrents = await listing.ConfigureAwait(false);
        var limits = await limitsAsked.ConfigureAwait(false);
        var dht = await dhtAsked.ConfigureAwait(false);
        return new NodeStatus(
            info.NodeId,
            typeof(ConsoleEndpointActor).Assembly.GetName().Version?.ToString(3) ?? "?",
            (info.Clock.GetUtcNow().UtcDateTime - info.StartedAt).TotalSeconds,
            info.PeerEndPoint,
            info.DataDir,
            info.Journal,
            await role.ConfigureAwait(false),
            torrents.Count,
            torrents.Count(t => t.State is TorrentState.Downloading or TorrentState.Checking or TorrentState.Metadata),
            torrents.Count(t => t.State == TorrentState.Seeding),
            torrents.Count(t => t.State == TorrentState.Paused),
            torrents.Count(t => t.State is TorrentState.Error or TorrentState.Failed),
            torrents.Sum(t => t.Peers.Count),
            torrents.Sum(t => t.DownloadRate),
            torrents.Sum(t => t.UploadRate),
            limits.DownloadLimit,
            limits.UploadLimit,
            info.NodeSystem.EventStream.LogLevel.ToString().Replace("Level", string.Empty, StringComparison.Ordinal).ToLowerInvariant())
        {
            DhtNodes = dht.Enabled ? dht.Nodes : null,
        };
    }

    /// <summary>DHT (issue 15): the `dht` command.</summary>
    public async Task<IConsoleReply> DhtCommand() => await Dht().ConfigureAwait(false);

    /// <summary>DHT (issue 15): the node's DHT as the console shows it.</summary>
    private async Task<DhtInfo> Dht() => await node.Ask<object>(new DhtMessages.GetDhtStatus()).ConfigureAwait(false) switch
    {
        DhtMessages.DhtStatus s => new DhtInfo(
            true,
            s.NodeId,
            s.EndPoint,
            s.Nodes,
            [.. s.Buckets],
            s.Tracked,
            s.Announced,
            s.StoredTorrents,
            [.. s.Recent.Select(r => new DhtLookupSummary(r.Target, r.Kind, r.Answered, r.Peers, r.AnnouncedTo, r.Ended.UtcDateTime, r.Took.TotalSeconds))]),
        _ => new DhtInfo(false, null, null, 0, [], 0, 0, 0, []),
    };

    public IConsoleReply SetLogLevel(string level)
    {
        var parsed = level.ToLowerInvariant() switch
        {
            "debug" => LogLevel.DebugLevel,
            "info" => LogLevel.InfoLevel,
            "warning" or "warn" => LogLevel.WarningLevel,
            "error" => LogLevel.ErrorLevel,
            _ => (LogLevel?)null,
        };
        if (parsed is not { } value)
        {
            return new CommandFailed($"unknown log level '{level}': use debug, info, warning or error");
        }

        info.NodeSystem.EventStream.SetLogLevel(value);
        // Warning on purpose: the change must show even when the new level hides information lines.
        log.Warning("log level set to {0} from the console", level.ToLowerInvariant());
        return new Done($"log level is now {level.ToLowerInvariant()}", null);
    }

    public IConsoleReply Shutdown()
    {
        log.Info("shutdown requested from the console");
        _ = Task.Delay(ShutdownAfterReply, info.Clock).ContinueWith(_ => info.RequestShutdown(), TaskScheduler.Default);
        return new Done("node shutting down", null);
    }
}
