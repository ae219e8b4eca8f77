using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Swarm.Actors;
using Swarm.Actors.Configuration;
using Swarm.Actors.Node;

namespace Swarm.Node.Hosting;

/// <summary>A running node: the generic host (SIGTERM/Ctrl-C → CoordinatedShutdown), its actor system and
/// the root <see cref="NodeActor"/>.</summary>
public sealed class SwarmNode : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly Config _config;
    private readonly string _nodeId;
    private readonly DateTime _startedAt = DateTime.UtcNow;
    private ConsoleHost? _console;

    private SwarmNode(IHost host, Config config, string nodeId, IActorRef root, ActorSystem system, SwarmSettings settings, IPEndPoint listen, string dataDir, JournalStore journal)
    {
        _config = config;
        _nodeId = nodeId;
        Journal = journal;
        _host = host;
        Root = root;
        System = system;
        Settings = settings;
        Listen = listen;
        DataDir = dataDir;
    }

    public IActorRef Root { get; }

    public ActorSystem System { get; }

    public SwarmSettings Settings { get; }

    public IPEndPoint Listen { get; }

    public string DataDir { get; }

    public JournalStore Journal { get; }

    /// <summary>Cancelled when the process is asked to stop (SIGTERM, Ctrl-C).</summary>
    public CancellationToken Stopping => _host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

    public static async Task<SwarmNode> StartAsync(NodeOptions options)
    {
        var config = SwarmConfiguration.Load(options.ConfigFile, options.Overrides());
        var settings = SwarmSettings.From(config);
        var dataDir = config.GetString("swarm.data-dir");
        if (string.IsNullOrEmpty(dataDir))
        {
            dataDir = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "swarm");
        }

        Directory.CreateDirectory(dataDir);
        var journal = JournalStore.Resolve(config, dataDir);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await journal.CheckReachableAsync(timeout.Token).ConfigureAwait(false);
        }

        config = journal.ToConfig().WithFallback(config);
        var listener = Bind(settings.Peer.BindAddress, settings.Peer.Port);
        var listen = (IPEndPoint)listener.LocalEndPoint!;
        var nodeId = NodeIdentity(dataDir);
        var context = NodeContext.Create(nodeId, settings, listen.Port);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        // stdout carries the machine-readable lines ("complete <hash>"); every log line goes to stderr.
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        var akkaLevel = Akka.Event.Logging.LogLevelFor(config.GetString("akka.loglevel", "WARNING"));
        builder.Services.AddAkka("swarm", b =>
        {
            b.AddHocon(config, HoconAddMode.Prepend);
            b.ConfigureLoggers(l =>
            {
                l.LogLevel = akkaLevel;
                l.ClearLoggers();
                l.AddLoggerFactory();
            });
            b.WithActors((system, registry) =>
            {
                var root = system.ActorOf(NodeActor.Props(context, listener), "node");
                registry.Register<NodeActor>(root);
            });
        });

        var host = builder.Build();
        await host.StartAsync().ConfigureAwait(false);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var rootRef = host.Services.GetRequiredService<ActorRegistry>().Get<NodeActor>();
        system.RegisterOnTermination(context.Files.Dispose);
        return new SwarmNode(host, config, nodeId, rootRef, system, settings, listen, dataDir, journal);
    }

    /// <summary>Opens the console endpoint (`swarm node` only); returns where consoles reach it.</summary>
    public IPEndPoint StartConsole(int? port)
    {
        var lifetime = _host.Services.GetRequiredService<IHostApplicationLifetime>();
        var savePath = Settings.Console.DefaultSavePath is { Length: > 0 } configured ? Path.GetFullPath(configured) : Path.Combine(DataDir, "downloads");
        var info = new Actors.Node.ConsoleNodeInfo(_nodeId, Listen.ToString(), DataDir, Journal.Description, savePath, _startedAt, System, lifetime.StopApplication);
        _console = ConsoleHost.Start(_config, Settings.Console, port, info, Root, _host.Services.GetRequiredService<ILoggerFactory>());
        return _console.EndPoint;
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

    private static Socket Bind(string address, int port)
    {
        if (!IPAddress.TryParse(address, out var ip))
        {
            throw new ArgumentException($"--bind '{address}' is not an IP address");
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(ip, port));
            socket.Listen(128);
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
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        if (_console is not null)
        {
            await _console.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _host.Dispose();
        }
    }
}
