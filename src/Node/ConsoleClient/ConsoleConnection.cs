using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Remote;
using Swarm.Actors;
using Swarm.Actors.Configuration;
using Swarm.Node.Hosting;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>The node could not be reached (nothing listening, wrong address, no answer in time): exit code 3.</summary>
internal sealed class NodeUnreachableException(string message) : Exception(message);

/// <summary>A console's link to one node's endpoint: a small client actor system with remoting on an ephemeral
/// loopback port. Replies come back over the connection the client opened (Akka's passive connections).</summary>
internal sealed class ConsoleConnection : IConsoleLink
{
    private readonly ActorSystem _system;
    private readonly IActorRef _endpoint;
    private readonly string _secret;
    private readonly TimeSpan _replyTimeout;

    private ConsoleConnection(ActorSystem system, IActorRef endpoint, string secret, TimeSpan replyTimeout, string target)
    {
        _system = system;
        _endpoint = endpoint;
        _secret = secret;
        _replyTimeout = replyTimeout;
        Target = target;
    }

    /// <summary>HOST:PORT of the node's console.</summary>
    public string Target { get; }

    /// <summary>With <paramref name="tls"/> (swarm.tls of the console's --config) the connection is mutual TLS
    /// (akka.ssl.tcp), else plain TCP: HOST:PORT is the same either way.</summary>
    public static async Task<ConsoleConnection> ConnectAsync(string target, string secret, ConsoleSettings settings, TlsSettings? tls = null)
    {
        var (ip, port) = await ResolveAsync(target).ConfigureAwait(false);
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = OFF
              stdout-loglevel = OFF
              loggers = []
              log-dead-letters = 0
              log-dead-letters-during-shutdown = off
              actor {
                provider = remote
                # Replies are read as the console protocol's records only: a node (or what answers in its place)
                # cannot make the console build any other type.
                serializers.hyperion = "Swarm.Actors.Serialization.ConsoleWireSerializer, Swarm.Actors"
                serialization-bindings { "System.Object" = hyperion }
              }
              remote {
                # Nothing remote may select our actors, deploy here or send system messages: only replies come in.
                untrusted-mode = on
                log-remote-lifecycle-events = off
                dot-netty.tcp {
                  # Only our outbound connection carries traffic (replies use it too), so nothing needs to reach us.
                  hostname = "127.0.0.1"
                  port = 0
                  maximum-frame-size = {{settings.MaximumFrameSize}}b
                  {{RemotingConfig.TransportSsl(tls is not null)}}
                }
              }
              coordinated-shutdown.run-by-clr-shutdown-hook = off
            }
            """);
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config));
        var system = ActorSystem.Create("swarm-console-client", tls is null ? setup : setup.And(tls.Setup()));
        var display = $"{ip}:{port}";
        try
        {
            var address = new Address(RemotingConfig.Scheme(tls is not null), ConsoleSettings.SystemName, ip.ToString(), port);
            var failed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            system.ActorOf(Props.Create(() => new AssociationWatcher(address, failed)));
            var identify = system.ActorSelection(new RootActorPath(address) / "user" / "console").ResolveOne(settings.ConnectTimeout);
            var first = await Task.WhenAny(identify, failed.Task).ConfigureAwait(false);
            if (first == failed.Task)
            {
                throw new NodeUnreachableException($"cannot reach the node's console at {display}: {failed.Task.Result}{TlsHint(tls)}");
            }

            try
            {
                var endpoint = await identify.ConfigureAwait(false);
                return new ConsoleConnection(system, endpoint, secret, settings.CommandTimeout + settings.ConnectTimeout, display);
            }
            catch (ActorNotFoundException)
            {
                throw new NodeUnreachableException($"no node console answered at {display} within {settings.ConnectTimeout.TotalSeconds:0} s{TlsHint(tls)}");
            }
        }
        catch
        {
            await system.Terminate().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A TLS handshake that fails looks like a silent node from here: say which side may lack what.</summary>
    private static string TlsHint(TlsSettings? tls) => tls is null
        ? " (if the node uses TLS, give this console a certificate from its CA: swarm.tls.* in --config)"
        : " (if the node uses TLS, its CA must be the one in this console's swarm.tls.ca)";

    public async Task<IConsoleReply> SendAsync(IConsoleCommand command)
    {
        try
        {
            return await _endpoint.Ask<IConsoleReply>(new ConsoleRequest(_secret, command), _replyTimeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            throw new NodeUnreachableException($"the node at {Target} did not answer within {_replyTimeout.TotalSeconds:0} s");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _system.Terminate().WaitAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
    }

    private static async Task<(IPAddress Ip, int Port)> ResolveAsync(string target)
    {
        if (!HostPort.TryParse(target, out var host, out var port))
        {
            throw new ConsoleUsageException($"--node '{target}' is not HOST:PORT");
        }

        host = host.Trim('[', ']');
        if (IPAddress.TryParse(host, out var ip))
        {
            return (ip, port);
        }

        // The node's console address is an IP; a name is resolved here so that it matches the node's own address.
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
            return (addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First(), port);
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            throw new NodeUnreachableException($"cannot resolve '{host}': {e.Message}");
        }
    }

    /// <summary>Fails the connect attempt as soon as remoting reports that the association failed (connection
    /// refused), instead of waiting for the whole connect timeout.</summary>
    private sealed class AssociationWatcher : HandlerActor
    {
        public AssociationWatcher(Address address, TaskCompletionSource<string> failed)
        {
            Context.System.EventStream.Subscribe(Self, typeof(AssociationErrorEvent));
            Receive<AssociationErrorEvent>(e =>
            {
                if (e.RemoteAddress == address)
                {
                    failed.TrySetResult(Innermost(e.Cause).Message);
                }
            });
        }

        private static Exception Innermost(Exception e) => e.InnerException is null ? e : Innermost(e.InnerException);
    }
}
