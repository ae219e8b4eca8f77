using System.Net;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Node.Http;

namespace Swarm.Node.Hosting;

/// <summary>The surfaces a node opens beside its actor system once it runs: the embedded tracker, the console
/// endpoint, the HTTP surface and the watch folder (the last two over the console's own commands).</summary>
public sealed partial class SwarmNode
{
    /// <summary>Runs the embedded tracker in this node (swarm.tracker-server.in-node).</summary>
    public async Task<TrackerHost> StartTrackerAsync()
    {
        var s = Settings.TrackerServer;
        _tracker = await TrackerHost.StartAsync(System, s, s.HttpPort, s.UdpPort, _host.Services.GetRequiredService<ILoggerFactory>()).ConfigureAwait(false);
        return _tracker;
    }

    /// <summary>Opens the console endpoint (`swarm node` only); returns where consoles reach it.</summary>
    public IPEndPoint StartConsole(int? port)
    {
        _console = ConsoleHost.Start(_config, Settings.Console, port, ConsoleInfo(), Root, _host.Services.GetRequiredService<ILoggerFactory>());
        return _console.EndPoint;
    }

    private string DefaultSavePath => Settings.Console.DefaultSavePath is { Length: > 0 } configured ? Path.GetFullPath(configured) : Path.Combine(DataDir, "downloads");

    private ConsoleNodeInfo ConsoleInfo() => new(_nodeId, Listen.ToString(), DataDir, Journal.Description, DefaultSavePath, _startedAt, System, RequestStop);

    // HTTP surface (issue 18): Transmission RPC, metrics, health and the watch folder, over the console's commands.

    /// <summary>Opens the HTTP surface (swarm.rpc; `swarm node` only); null when swarm.rpc.enabled is off.</summary>
    public async Task<NodeHttpHost?> StartHttpAsync()
    {
        var rpc = RpcSettings.From(_config);
        if (!rpc.Enabled)
        {
            return null;
        }

        var loggers = _host.Services.GetRequiredService<ILoggerFactory>();
        var commands = Commands(rpc.RequestTimeout);
        var ids = new TorrentIds(TimeProvider.System);
        var version = typeof(SwarmNode).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        var session = new TransmissionSession(commands, new RpcNodeFacts($"4.0.6 (swarm {version})", DataDir, Listen.Port, DefaultSavePath));
        _web = new HttpClient { Timeout = rpc.RequestTimeout };
        var torrents = new TransmissionTorrents(commands, ids, session, _web);
        var transmission = new TransmissionRpc(session, torrents, loggers.CreateLogger("Swarm.Node.Http.Rpc"));
        var probes = new NodeProbes(commands, torrents, ids, Journal.CheckReachableAsync, rpc.RequestTimeout);
        List<Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder>> surfaces = [transmission.Map, probes.Map];
        // Dashboard (issue 18): the live page at `/`, over the same commands.
        var dashboard = DashboardSettings.From(_config);
        if (dashboard.Enabled)
        {
            var feed = new DashboardFeed(commands, () => DashboardFeed.FreeSpaceOf(session.DownloadDir), dashboard, TimeProvider.System, loggers.CreateLogger("Swarm.Node.Http.Dashboard"));
            surfaces.Add(new DashboardEndpoints(feed, commands, torrents).Map);
        }

        _http = await NodeHttpHost.StartAsync(rpc, surfaces, loggers).ConfigureAwait(false);
        return _http;
    }

    /// <summary>Starts the watch folder (--watch-dir or swarm.watch.dir); null when none is set.</summary>
    public WatchFolder? StartWatchFolder()
    {
        var watch = WatchSettings.From(_config);
        if (watch.Dir.Length == 0)
        {
            return null;
        }

        var loggers = _host.Services.GetRequiredService<ILoggerFactory>();
        var savePath = watch.SavePath.Length > 0 ? watch.SavePath : null;
        _watch = WatchFolder.Start(watch.Dir, savePath, watch.Interval, Commands(Settings.Console.CommandTimeout + TimeSpan.FromSeconds(5)), loggers.CreateLogger("Swarm.Node.Http.WatchFolder"), TimeProvider.System);
        return _watch;
    }

    /// <summary>The console's command layer for this process's own surfaces: an endpoint in the node's system (not the
    /// console's, which listens to the network), asked with the node's own secret.</summary>
    private NodeCommands Commands(TimeSpan timeout)
    {
        var secret = Settings.Console.EffectiveSecret;
        _commandEndpoint ??= System.ActorOf(ConsoleEndpointActor.Props(Root, ConsoleInfo(), Settings.Console, secret), "local-commands");
        return new NodeCommands(_commandEndpoint, secret, timeout);
    }
}
