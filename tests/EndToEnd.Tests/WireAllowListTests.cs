using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>A foreign Akka system, written here with unrestricted Hyperion (unsafe types allowed), against a real
/// `swarm node`'s console port: it may identify the console endpoint and nothing else (by selection or by a reference made from a path), and a message of a type outside
/// the console protocol is dropped with one log line while the node keeps serving, the foreign association too.</summary>
public sealed class WireAllowListTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Fact]
    public async Task A_foreign_system_can_identify_the_console_endpoint_and_nothing_else()
    {
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        await using var foreign = ForeignSystem.Start();
        var root = $"akka.tcp://swarm-console@{node.Console}";
        var answers = new ConcurrentQueue<ActorIdentity>();
        var probe = foreign.System.ActorOf(Props.Create(() => new IdentityCollector(answers)));

        string[] forbidden = ["/", "/user", "/system", "/system/remote-watcher", "/system/endpointManager", "/system/deadLetterListener", "/user/console/..", "/user/console/../..", "/user/node", "/system/log1-ConsoleSystemLogger"];
        foreach (var path in forbidden)
        {
            foreign.System.ActorSelection(root + path).Tell(new Identify(path), probe);
        }

        // A reference made from a path is no selection: untrusted mode would deliver to it, the console transport doesn't.
        string[] byReference = ["/", "/system/remote-watcher", "/system/deadLetterListener", "/user", "/user/node"];
        var provider = ((ExtendedActorSystem)foreign.System).Provider;
        foreach (var path in byReference)
        {
            provider.ResolveActorRef(root + path).Tell(new Identify("ref " + path), probe);
        }

        // One association carries these in order: once two later identifies are answered, every earlier selection has
        // been dispatched by the node, and an actor that accepted one would have answered it at once.
        foreign.System.ActorSelection(root + "/user/console").Tell(new Identify("console"), probe);
        foreign.System.ActorSelection(root + "/user/console").Tell(new Identify("console again"), probe);
        await Poll.UntilAsync(
            () => Task.FromResult<int?>(answers.Count(a => a.MessageId is "console again")),
            n => n == 1,
            Timeouts.Reject,
            TimeSpan.FromMilliseconds(100),
            _ => "the console endpoint did not answer Identify");
        (await node.ConsoleAsync("status")).EnsureSuccess();

        Assert.Equal(["console", "console again"], answers.Select(a => (string)a.MessageId).Order(StringComparer.Ordinal));
        await node.Process.WaitForStderrLineAsync(l => l.Contains("only /user/console is reachable", StringComparison.Ordinal), "the console transport's refusal", Timeouts.Reject);
        Assert.Single(node.Process.Stderr, l => l.Contains("only /user/console is reachable", StringComparison.Ordinal));
        Assert.All(answers.Where(a => ((string)a.MessageId).StartsWith("console", StringComparison.Ordinal)), a => Assert.Equal("/user/console", a.Subject!.Path.ToStringWithoutAddress()));
    }

    [Fact]
    public async Task A_message_of_a_type_outside_the_console_protocol_is_dropped_with_one_line_and_the_node_keeps_serving()
    {
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        await using var foreign = ForeignSystem.Start();
        var endpoint = await foreign.System.ActorSelection($"akka.tcp://swarm-console@{node.Console}/user/console").ResolveOne(Timeouts.Reject);
        var marker = Path.Combine(Dir.Path, "written-by-a-foreign-message");

        // A record of this test (its assembly is not in the node), a BCL type the node can load but no message
        // holds, one of Hyperion's unsafe types, and a foreign record hidden in a dictionary of strings.
        object[] foreignMessages =
        [
            new ForeignCommand($"touch {marker}"),
            new Version(1, 2, 3, 4),
            new FileInfo(marker),
            new Dictionary<string, object> { ["command"] = new ForeignCommand($"touch {marker}") },
        ];
        string[] names =
        [
            "Swarm.EndToEnd.Tests.ForeignCommand, Swarm.EndToEnd.Tests",
            "System.Version, System.Private.CoreLib",
            "System.IO.FileInfo, System.Private.CoreLib",
            "System.Collections.Generic.Dictionary`2[[System.String, System.Private.CoreLib],[System.Object, System.Private.CoreLib]], System.Private.CoreLib",
        ];
        foreach (var message in foreignMessages)
        {
            endpoint.Tell(message);
        }

        foreach (var name in names)
        {
            await node.Process.WaitForStderrLineAsync(l => l.Contains($"refused a message holding {name}", StringComparison.Ordinal), $"the refusal of {name}", Timeouts.Reject);
        }

        // The node keeps serving consoles, and the foreign system's association is still up (it was not torn down).
        Assert.Equal(0, (await node.JsonAsync("status")).GetProperty("torrents").GetInt32());
        var again = await foreign.System.ActorSelection($"akka.tcp://swarm-console@{node.Console}/user/console").ResolveOne(Timeouts.Reject);
        Assert.Equal(endpoint.Path, again.Path);

        foreach (var name in names)
        {
            var lines = node.Process.Stderr.Where(l => l.Contains($"refused a message holding {name}", StringComparison.Ordinal)).ToList();
            var line = Assert.Single(lines);
            Assert.Matches(@"^\d\d:\d\d:\d\d\.\d\d\d warn  \[", line);
            Assert.Contains("the connection stays up", line, StringComparison.Ordinal);
            Assert.Contains("not a type of swarm's console protocol", line, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(marker));
        Assert.False(node.Process.HasExited);
    }

    /// <summary>The test's own system: remoting on loopback, Hyperion with none of the node's restrictions.</summary>
    private sealed class ForeignSystem : IAsyncDisposable
    {
        private ForeignSystem(ActorSystem system) => System = system;

        public ActorSystem System { get; }

        public static ForeignSystem Start() => new(ActorSystem.Create("intruder", ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = WARNING
              actor {
                provider = remote
                serializers.hyperion = "{{typeof(UnrestrictedHyperion).AssemblyQualifiedName}}"
                serialization-bindings { "System.Object" = hyperion }
              }
              remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
              coordinated-shutdown.run-by-clr-shutdown-hook = off
            }
            """)));

        public async ValueTask DisposeAsync() => await System.Terminate().WaitAsync(Timeouts.Exit);
    }

    private sealed class IdentityCollector : ReceiveActor
    {
        public IdentityCollector(ConcurrentQueue<ActorIdentity> answers) => Receive<ActorIdentity>(answers.Enqueue);
    }
}

/// <summary>What an attacker sends: a command of its own.</summary>
public sealed record ForeignCommand(string Run);

/// <summary>Hyperion as a foreign system may run it: any type, Hyperion's unsafe ones too.</summary>
public sealed class UnrestrictedHyperion(ExtendedActorSystem system)
    : HyperionSerializer(system, HyperionSerializerSettings.Default.WithDisallowUnsafeType(false));
