using System.Net;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Configuration;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Node.ConsoleClient;

namespace Swarm.Node.Hosting;

/// <summary>The console endpoint's own actor system. Only it listens for Akka remoting, in untrusted mode and with
/// /user/console as the only path a remote may select, so a console can reach nothing but the endpoint, which checks
/// the secret of every request; its serializer reads the console protocol's records only (ConsoleWireSerializer). The node's actors stay unreachable from the network whatever the console binds to.</summary>
public sealed class ConsoleHost : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly LocalConsoleEndpoint? _local;

    private ConsoleHost(ActorSystem system, IPEndPoint endPoint, LocalConsoleEndpoint? local)
    {
        _system = system;
        EndPoint = endPoint;
        _local = local;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>The local socket one-shot consoles on this machine use (issue 14); null when it is off or not possible.</summary>
    public string? LocalSocket => _local?.Path;

    /// <param name="localFolder">Where the local socket goes; null = <see cref="LocalConsoleWire.Folder"/>.</param>
    public static ConsoleHost Start(Config nodeConfig, ConsoleSettings settings, int? portOverride, ConsoleNodeInfo info, IActorRef node, ILoggerFactory loggers, string? localFolder = null)
    {
        if (!IPAddress.TryParse(settings.Hostname, out var ip))
        {
            throw new ArgumentException($"swarm.console.hostname '{settings.Hostname}' must be an IP address (remote consoles address the node by it)");
        }

        var secret = settings.EffectiveSecret;
        if (!IPAddress.IsLoopback(ip) && secret.Length == 0)
        {
            throw new ArgumentException($"the console would listen on {ip}, beyond loopback, without a secret: set swarm.console.secret or {ConsoleSettings.SecretVariable}");
        }

        // With swarm.tls the console speaks mutual TLS too: a console needs a certificate from the CA and the secret.
        var tls = TlsSettings.From(nodeConfig);
        var port = portOverride ?? settings.Port;
        PortCheck.EnsureFree(ip, port, "console");
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              actor.provider = remote
              # wire: consoles may send the console protocol's records and nothing else (see WireProtocol.Console).
              actor.serializers.hyperion = "Swarm.Actors.Serialization.ConsoleWireSerializer, Swarm.Actors"
              loggers = ["Swarm.Node.Hosting.ConsoleSystemLogger, swarm"]
              remote {
                # Remote consoles may only select the endpoint; no remote deployment, no system messages.
                untrusted-mode = on
                trusted-selection-paths = ["/user/console"]
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  # Akka's TCP transport, wrapped to note each console connection's real source (see ConsoleTransport).
                  transport-class = "Swarm.Node.Hosting.ConsoleTransport, swarm"
                  wrapped-transport-class = "Akka.Remote.Transport.DotNetty.TcpTransport, Akka.Remote"
                  hostname = "{{ip}}"
                  port = {{port}}
                  maximum-frame-size = {{settings.MaximumFrameSize}}b
                  {{RemotingConfig.TransportSsl(tls is not null)}}
                }
              }
            }
            """).WithFallback(nodeConfig);
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config), new LoggerFactorySetup(loggers));
        if (tls is not null)
        {
            setup = setup.And(tls.Setup());
        }

        ActorSystem system;
        try
        {
            system = ActorSystem.Create(ConsoleSettings.SystemName, setup);
        }
        catch (Exception e) when (e is not ArgumentException)
        {
            throw new IOException($"cannot open the console on {ip}:{port}: {Innermost(e).Message}", e);
        }

        var connections = ConsoleConnections.Of(system);
        var endpoint = system.ActorOf(ConsoleEndpointActor.Props(node, info with { ConnectionSourceOf = connections.SourceOf }, settings, secret), "console");
        var bound = ((ExtendedActorSystem)system).Provider.DefaultAddress;
        var boundPort = bound.Port ?? port;

        // Footprint (issue 14): one-shot consoles on this machine ask the same endpoint through a local socket.
        var local = nodeConfig.GetBoolean("swarm.console.local-socket", true) && LocalConsoleWire.ServesLoopback(ip)
            ? LocalConsoleEndpoint.Open(localFolder ?? LocalConsoleWire.Folder(), ip, boundPort, endpoint, settings.CommandTimeout + settings.ConnectTimeout, settings.MaximumFrameSize, loggers.CreateLogger("Swarm.Node.Console"))
            : null;
        return new ConsoleHost(system, new IPEndPoint(ip, boundPort), local);
    }

    private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);

    public async ValueTask DisposeAsync()
    {
        if (_local is not null)
        {
            await _local.DisposeAsync().ConfigureAwait(false);
        }

        await _system.Terminate().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }
}
