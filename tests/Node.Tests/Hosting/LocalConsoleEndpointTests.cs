using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Actors.Configuration;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Node.ConsoleClient;
using Swarm.Node.Hosting;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.Hosting;

/// <summary>The console host's local socket (issue 14) beside its remoting port, both real: the same endpoint answers
/// both, with the same secret check, and the socket is the user's alone and gone when the host stops.</summary>
public sealed class LocalConsoleEndpointTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"swarm-local-console-{Guid.NewGuid():N}"[..32]);

    [Fact]
    public async Task The_local_socket_and_remoting_get_the_same_answers_from_the_same_endpoint()
    {
        var config = SwarmConfiguration.Load(null, new Dictionary<string, string>());
        var settings = SwarmSettings.From(config).Console with { Port = 0, Secret = "s3cret" };
        var nodeSystem = ActorSystem.Create("local-console-test");
        try
        {
            var info = new ConsoleNodeInfo("n", "127.0.0.1:1", "/tmp", "in-memory", "/tmp", DateTime.UtcNow, nodeSystem, () => { });
            await using (var host = ConsoleHost.Start(config, settings, 0, info, ActorRefs.Nobody, NullLoggerFactory.Instance, _folder))
            {
                var target = $"127.0.0.1:{host.EndPoint.Port}";
                Assert.Equal(LocalConsoleWire.SocketPath(_folder, System.Net.IPAddress.Loopback, host.EndPoint.Port), host.LocalSocket);
                if (!OperatingSystem.IsWindows())
                {
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_folder));
                }

                await using var remoting = await ConsoleConnection.ConnectAsync(target, "s3cret", settings);
                using var local = LocalConsoleLink.TryConnect(target, "s3cret", CancellationToken.None, _folder);
                Assert.NotNull(local);
                Assert.Equal(remoting.Target, local.Target);

                // A command the endpoint answers itself, twice over one local connection; then a bad one.
                foreach (var command in new IConsoleCommand[] { new SetLogLevel("warning"), new SetLogLevel("info"), new SetLogLevel("loud") })
                {
                    Assert.Equal(await remoting.SendAsync(command), local.Send(command));
                }

                using var wrong = LocalConsoleLink.TryConnect(target, "guess", CancellationToken.None, _folder);
                Assert.NotNull(wrong);
                Assert.IsType<Refused>(wrong.Send(new SetLogLevel("debug")));
                Assert.Equal(Akka.Event.LogLevel.InfoLevel, nodeSystem.EventStream.LogLevel);
            }

            Assert.Empty(Directory.GetFiles(_folder));
            Assert.Null(LocalConsoleLink.TryConnect("127.0.0.1:1", "s3cret", CancellationToken.None, _folder));
        }
        finally
        {
            await nodeSystem.Terminate();
        }
    }

    [Fact]
    public async Task A_socket_left_by_a_node_that_died_is_passed_over_by_consoles_and_replaced_by_the_next_node()
    {
        Directory.CreateDirectory(_folder);
        var stale = LocalConsoleWire.SocketPath(_folder, System.Net.IPAddress.Loopback, 4999);
        // What a node that died leaves: a name nothing listens on (the .NET runtime removes its own sockets' files).
        await File.WriteAllTextAsync(stale, string.Empty);
        Assert.True(File.Exists(stale));
        Assert.Null(LocalConsoleLink.TryConnect("127.0.0.1:4999", string.Empty, CancellationToken.None, _folder));

        var nodeSystem = ActorSystem.Create("local-console-stale-test");
        try
        {
            var endpoint = nodeSystem.ActorOf(Props.Create(() => new EchoEndpoint()));
            await using var opened = LocalConsoleEndpoint.Open(_folder, System.Net.IPAddress.Loopback, 4999, endpoint, TimeSpan.FromSeconds(30), 1 << 20, NullLogger.Instance);
            Assert.NotNull(opened);
            using var link = LocalConsoleLink.TryConnect("localhost:4999", "x", CancellationToken.None, _folder);
            Assert.NotNull(link);
            Assert.Equal(new Done("x GetNodeStatus", null), link.Send(new GetNodeStatus()));
        }
        finally
        {
            await nodeSystem.Terminate();
        }
    }

    [Fact]
    public async Task A_console_naming_the_node_by_a_network_address_takes_remoting_even_where_the_socket_is_reachable()
    {
        var nodeSystem = ActorSystem.Create("local-console-network-test");
        try
        {
            var endpoint = nodeSystem.ActorOf(Props.Create(() => new EchoEndpoint()));
            // A node whose console is bound to a LAN address, and a console sharing its socket folder (another network
            // namespace or container on the same disk): a network name must meet TLS and certificates, not the socket.
            var lan = System.Net.IPAddress.Parse("10.77.0.2");
            await using var opened = LocalConsoleEndpoint.Open(_folder, lan, 4998, endpoint, TimeSpan.FromSeconds(30), 1 << 20, NullLogger.Instance);
            Assert.NotNull(opened);
            Assert.True(File.Exists(LocalConsoleWire.SocketPath(_folder, lan, 4998)));
            Assert.Null(LocalConsoleLink.TryConnect("10.77.0.2:4998", "x", CancellationToken.None, _folder));
        }
        finally
        {
            await nodeSystem.Terminate();
        }
    }

    [Fact]
    public async Task A_stop_request_ends_the_wait_for_a_node_that_has_not_answered_yet()
    {
        var nodeSystem = ActorSystem.Create("local-console-stop-test");
        try
        {
            var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var endpoint = nodeSystem.ActorOf(Props.Create(() => new SilentEndpoint(received)));
            await using var opened = LocalConsoleEndpoint.Open(_folder, System.Net.IPAddress.Loopback, 4997, endpoint, TimeSpan.FromMinutes(5), 1 << 20, NullLogger.Instance);
            Assert.NotNull(opened);
            using var stop = new CancellationTokenSource();
            using var link = LocalConsoleLink.TryConnect("127.0.0.1:4997", "x", stop.Token, _folder);
            Assert.NotNull(link);

            var waiting = Task.Run(() => link.Send(new GetNodeStatus()));
            await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(waiting.IsCompleted);
            await stop.CancelAsync();
            await Assert.ThrowsAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        finally
        {
            await nodeSystem.Terminate();
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    /// <summary>Answers a request with its secret and command: what the socket handed the endpoint.</summary>
    private sealed class EchoEndpoint : ReceiveActor
    {
        public EchoEndpoint() => Receive<ConsoleRequest>(r => Sender.Tell(new Done($"{r.Secret} {r.Command.GetType().Name}", null)));
    }

    /// <summary>Takes a request and never answers it: a node busy past the console's patience.</summary>
    private sealed class SilentEndpoint : ReceiveActor
    {
        public SilentEndpoint(TaskCompletionSource received) => Receive<ConsoleRequest>(_ => received.TrySetResult());
    }
}
