using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Swarm.Actors;
using Swarm.Actors.Catalog;
using Swarm.Actors.Clustering;
using Swarm.Actors.Configuration;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Node.Http;

namespace Swarm.Node.Hosting;

/// <summary>A running node: the generic host (SIGTERM/Ctrl-C → CoordinatedShutdown), its actor system and
/// the root <see cref="NodeActor"/>.</summary>
public sealed partial class SwarmNode : IAsyncDisposable
{
    /// <summary>The host's bound on CoordinatedShutdown (leaving the cluster, the journal's last flush).</summary>
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    /// <summary>What the console and tracker endpoints take to close after the host.</summary>
    private static readonly TimeSpan DisposeMargin = TimeSpan.FromSeconds(10);

    private readonly IHost _host;
    private readonly Config _config;
    private readonly string _nodeId;
    private readonly DateTime _startedAt = DateTime.UtcNow;
    private readonly StateFolder _state;
    private ConsoleHost? _console;
    private TrackerHost? _tracker;
    private NodeHttpHost? _http;
    private WatchFolder? _watch;
    private HttpClient? _web;
    private IActorRef? _commandEndpoint;
    private bool _stopRequested;
    private volatile bool _signalled;
    private CancellationTokenRegistration _onSignal;

    private SwarmNode(IHost host, Config config, string nodeId, IActorRef root, ActorSystem system, SwarmSettings settings, IPEndPoint listen, StateFolder state, JournalStore journal)
    {
        _config = config;
        _nodeId = nodeId;
        _state = state;
        Journal = journal;
        _host = host;
        Root = root;
        System = system;
        Settings = settings;
        Listen = listen;
        DataDir = state.Path;
    }

    public IActorRef Root { get; }

    public ActorSystem System { get; }

    public SwarmSettings Settings { get; }

    public IPEndPoint Listen { get; }

    public string DataDir { get; }

    public JournalStore Journal { get; }

    /// <summary>Cancelled when the process is asked to stop (SIGTERM, Ctrl-C).</summary>
    public CancellationToken Stopping => _host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    /// <summary>Starts a node that stops when <paramref name="stop"/> is cancelled (the process's SIGINT/SIGTERM,
    /// <see cref="StopSignals"/>): this process's signals are not the host's to handle.</summary>
    public static async Task<SwarmNode> StartAsync(NodeOptions options, CancellationToken stop)
    {
        var config = SwarmConfiguration.Load(options.ConfigFile, options.Overrides());
        var settings = SwarmSettings.From(config);
        if (options.Transfer is not null)
        {
            // The stagger spreads the announces of many torrents recovered together; a one-shot get or seed runs one
            // torrent, and its first peers should not wait for a random share of it.
            settings = settings with { Tracker = settings.Tracker with { StartupStagger = TimeSpan.Zero } };
        }

        var state = StateFolder.Acquire(StateFolder.Resolve(config.GetString("swarm.data-dir"), options.Transfer), options.Transfer);
        try
        {
            var node = await StartAsync(options, config, settings, state).ConfigureAwait(false);
            node._onSignal = stop.Register(node.OnSignal);
            return node;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    private static async Task<SwarmNode> StartAsync(NodeOptions options, Config config, SwarmSettings settings, StateFolder state)
    {
        var dataDir = state.Path;
        // Start-up (issue 14): Akka's ActorSystem.Create(name, setup), which Akka.Hosting calls, evaluates
        // ConfigurationFactory.Load() even when the setup carries the config: the .NET app-config system is initialised
        // to read an "akka" section nothing here has. Read once on another core while this one builds the host, it is
        // cached when the actor system asks.
        _ = Task.Run(LoadAppConfigSection);
        var journal = JournalStore.Resolve(config, dataDir);
        // Start-up (issue 14): the journal's first connection (its driver loaded, SQLite's native library initialised,
        // linq2db's provider built) is made on another core while this one builds the host; the actor system starts
        // only once it is known reachable, so an unreachable database is still one line before any actor runs.
        using var reachableBound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var reachable = Task.Run(() => journal.CheckReachableAsync(reachableBound.Token));
        try
        {
            return await StartAsync(options, config, settings, state, journal, reachable).ConfigureAwait(false);
        }
        finally
        {
            // Observed whatever happened first (a taken port fails the start before the check is awaited).
            await reachable.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private static async Task<SwarmNode> StartAsync(NodeOptions options, Config config, SwarmSettings settings, StateFolder state, JournalStore journal, Task reachable)
    {
        var dataDir = state.Path;
        config = journal.ToConfig().WithFallback(config);
        var oneShotPlain = options.Transfer is not null && journal.WritesPlainRows(config);
        if (!oneShotPlain)
        {
            WarmJournalOnceReachable(reachable, journal, config, settings);
        }

        // Akka logs to stdout before the logger starts and after it stops; stdout carries scripts' lines. Set here,
        // not in hocon: the type lives in this assembly, and the actor tests load the same hocon.
        config = ConfigurationFactory.ParseString($"akka.stdout-logger-class = {SwarmConfiguration.Quote(typeof(StderrStartupLogger).AssemblyQualifiedName!)}").WithFallback(config);
        var tls = TlsSettings.From(config);
        var clustered = options.Cluster && settings.Cluster.Enabled && RemotingConfig.ClusterRequested(config, options.ClusterPort is not null, tls is not null);
        if (clustered)
        {
            config = ClusterConfig(settings.Cluster, settings.Console.MaximumFrameSize, tls is not null, config.GetBoolean("swarm.cluster.insecure", false)).WithFallback(config);
        }

        var listener = Bind(settings.Peer.BindAddress, settings.Peer.Port);
        var listen = (IPEndPoint)listener.LocalEndPoint!;
        var dht = settings.Dht.Enabled ? DhtStartOn(listen, Path.Combine(dataDir, "dht.dat"), settings.Dht.BootstrapNodes) : null;
        if (!settings.Dht.Enabled && settings.Utp.Enabled)
        {
            // uTP (issue 16) needs the UDP peer port even without the DHT.
            dht = DhtStartOn(listen, Path.Combine(dataDir, "dht.dat"), settings.Dht.BootstrapNodes) is { } udpOnly ? udpOnly with { RunDht = false } : null;
        }

        var nodeId = NodeIdentity(dataDir);
        var context = NodeContext.Create(nodeId, settings, listen.Port);
        var downloads = settings.Console.DefaultSavePath is { Length: > 0 } configured ? Path.GetFullPath(configured) : Path.Combine(dataDir, "downloads");
        var clusterInfo = clustered ? new ClusterNodeInfo(nodeId, $"{settings.Cluster.Hostname}:{listen.Port}", downloads) : null;
        var removed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var refused = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Start-up (issue 14): no defaults. They read appsettings*.json from the binary's folder (watching it for changes),
        // environment variables and user secrets into a configuration nothing here reads, and add logging providers that
        // UseSwarmConsole clears again: a tenth of a start's CPU for nothing.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory, DisableDefaults = true });
        // No console lifetime: SIGINT/SIGTERM reach the node through StopSignals only, so that a stop is known to be
        // asked for before the host acts on it (and is not taken for a removal from the cluster).
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = ShutdownTimeout);
        builder.Services.AddSystemdReadiness();
        var akkaLevel = Akka.Event.Logging.LogLevelFor(config.GetString("akka.loglevel", "INFO"));
        builder.Logging.UseSwarmConsole(stackTraces: akkaLevel == Akka.Event.LogLevel.DebugLevel);
        builder.Services.AddAkka(settings.Cluster.Name, b =>
        {
            b.AddHocon(config, HoconAddMode.Prepend);
            if (clustered && tls is not null)
            {
                b.AddSetup(tls.Setup());
            }

            b.ConfigureLoggers(l =>
            {
                l.LogLevel = akkaLevel;
                l.ClearLoggers();
                l.AddLogger<AkkaLogBridge>();
            });
            b.WithActors((system, registry) =>
            {
                // Start-up (issue 14): the journal and snapshot plugins initialise (linq2db connection factory, Akka.Streams
                // write queue) while the node actor and the catalog are made, instead of after the catalog asked them. A
                // journal writing plain rows makes its store when first needed (SwarmSqlWriteJournal): only its actor here.
                _ = Task.Run(() => StartPersistencePlugins(system, snapshots: !oneShotPlain));
                var opening = options.Transfer is null ? PeerPortOpening.AfterRecovery : PeerPortOpening.WhenATorrentIsReady;
                var root = system.ActorOf(NodeActor.Props(context, listener, clusterInfo, opening, dht), "node");
                registry.Register<NodeActor>(root);
                if (clustered)
                {
                    var cluster = Akka.Cluster.Cluster.Get(system);
                    cluster.RegisterOnMemberRemoved(() => removed.TrySetResult());
                    system.ActorOf(Props.Create(() => new WelcomeListener(joined)), "membership-welcome");
                    system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new RefusalListener(refused)), "membership-refusals"), typeof(ClusterMessages.MembershipRefused));
                    if (settings.Cluster.SeedNodes.Count == 0)
                    {
                        // No one to join: found a cluster of our own, that others join with --seed-node.
                        cluster.Join(cluster.SelfAddress);
                    }
                }
            });
        });

        var host = builder.Build();
        try
        {
            await reachable.ConfigureAwait(false);
        }
        catch
        {
            host.Dispose();
            listener.Dispose();
            dht?.Udp.Dispose();
            throw;
        }

        await host.StartAsync().ConfigureAwait(false);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var rootRef = host.Services.GetRequiredService<ActorRegistry>().Get<NodeActor>();
        system.RegisterOnTermination(context.Files.Dispose);
        var node = new SwarmNode(host, config, nodeId, rootRef, system, settings, listen, state, journal) { RemovedFromCluster = removed.Task, RefusedByCluster = refused.Task, JoinedCluster = joined.Task };
        if (options.Transfer is null)
        {
            // A node listens once its catalog has recovered: the "peers" line it prints then means "reachable". A system
            // that terminates meanwhile (a cluster member shut down at once) answers nothing: the caller sees it removed.
            var opened = rootRef.Ask<NodeMessages.PeerPortOpened>(new NodeMessages.AwaitPeerPort(), settings.Catalog.RecoveryTimeout);
            await Task.WhenAny(opened, system.WhenTerminated).ConfigureAwait(false);
            if (opened.IsFaulted && !system.WhenTerminated.IsCompleted)
            {
                await host.StopAsync().ConfigureAwait(false);
                host.Dispose();
                throw new IOException($"the catalog did not recover from the journal ({journal.Description}) within {settings.Catalog.RecoveryTimeout.TotalSeconds:F0}s");
            }
        }

        if (clustered)
        {
            var address = Akka.Cluster.Cluster.Get(system).SelfAddress;
            node.ClusterEndPoint = $"{address.Host}:{address.Port}";
        }

        return node;
    }

    /// <summary>Completes when the cluster removed this member: it left, or was downed (the split-brain resolver,
    /// or after a pause the others took for a crash). Never completes on a standalone node.</summary>
    public Task RemovedFromCluster { get; private init; } = new TaskCompletionSource().Task;

    /// <summary>Completes when this member is in the cluster's membership (<see cref="WelcomeListener"/>). A member removed
    /// before that never got in (its seed nodes refused its certificate, say): restarting at once would only be refused
    /// again.</summary>
    public Task JoinedCluster { get; private init; } = new TaskCompletionSource().Task;

    /// <summary>Completes with the reason when this member left because the cluster speaks another swarm protocol:
    /// rejoining would only be refused again.</summary>
    public Task<string> RefusedByCluster { get; private init; } = new TaskCompletionSource<string>().Task;

    /// <summary>HOST:PORT of this member's cluster address (what others pass to --seed-node); null when standalone.</summary>
    public string? ClusterEndPoint { get; private set; }

    /// <summary>Set once the process was asked to stop (SIGTERM, Ctrl-C, console `shutdown`), as opposed to the
    /// cluster removing this member.</summary>
    public bool StopRequested => _stopRequested || _signalled;

    /// <summary>The longest a stop takes: the host's shutdown (CoordinatedShutdown, the journal's last flush), then the
    /// console and tracker endpoints.</summary>
    public static TimeSpan StopBound => ShutdownTimeout + DisposeMargin;

    /// <summary>Asks the node to stop (console `shutdown`).</summary>
    public void RequestStop()
    {
        _stopRequested = true;
        StopApplication();
    }

    private void OnSignal()
    {
        _signalled = true;
        StopApplication();
    }

    private void StopApplication()
    {
        try
        {
            _host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped and disposed: nothing left to stop.
        }
    }

    /// <summary>A node's identity lives in its data folder: the same folder is the same node after a restart.</summary>
    private static string NodeIdentity(string dataDir)
    {
        var file = Path.Combine(dataDir, "node-id");
        if (File.Exists(file) && File.ReadAllText(file).Trim() is { Length: > 0 } id)
        {
            return id;
        }

        id = Guid.NewGuid().ToString("N");
        var temp = file + ".tmp";
        File.WriteAllText(temp, id);
        File.Move(temp, file, overwrite: true);
        return id;
    }

    /// <summary>DHT (issue 15): a UDP socket on the peer port at the peer address. A port whose UDP side is taken (TCP was
    /// free) runs the node without a DHT, with one line saying so, rather than not at all.</summary>
    private static Actors.Dht.DhtStart? DhtStartOn(IPEndPoint listen, string tableFile, IReadOnlyList<string> bootstrap)
    {
        var socket = new Socket(listen.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(listen);
            return new Actors.Dht.DhtStart(socket, tableFile, bootstrap);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            Console.Error.WriteLine($"swarm: no DHT: cannot bind UDP {listen}: {e.Message}");
            return null;
        }
    }

    private static Socket Bind(string address, int port)
    {
        if (!IPAddress.TryParse(address, out var ip))
        {
            throw new ArgumentException($"--bind '{address}' is not an IP address");
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Bound now, so that a taken port fails the start at once; the node listens when it has something to serve.
            socket.Bind(new IPEndPoint(ip, port));
            return socket;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new IOException($"cannot listen for peers on {address}:{port}: {e.Message}", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _onSignal.DisposeAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(ShutdownTimeout + TimeSpan.FromSeconds(5));
        if (_console is not null)
        {
            await _console.DisposeAsync().ConfigureAwait(false);
        }

        if (_tracker is not null)
        {
            await _tracker.DisposeAsync().ConfigureAwait(false);
        }

        if (_watch is not null)
        {
            await _watch.DisposeAsync().ConfigureAwait(false);
        }

        if (_http is not null)
        {
            await _http.DisposeAsync().ConfigureAwait(false);
        }

        _web?.Dispose();

        try
        {
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
            // Last: the journal is closed, so the next process may take the folder.
            _state.Dispose();
        }
    }
}

/// <summary>A host lifetime that leaves the process's signals alone (see <see cref="StopSignals"/>).</summary>
internal sealed class NoSignalLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
