using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors.Tests.Support;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Tests.Clustering;

/// <summary>Members reached over real remoting (loopback, Hyperion as configured), each with an actor at
/// /user/node/cluster that answers as the test says. Terminated on dispose.</summary>
internal sealed class RemoteMembers : IDisposable
{
    private readonly List<ActorSystem> _systems = [];

    /// <summary>The test kit's own system must use it too, so that it can reach the members.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        """).WithFallback(TestNodes.Config);

    /// <summary>Starts a member whose availability actor answers each message with <paramref name="answer"/> (null: no
    /// answer), given the message and the member's own address.</summary>
    /// <returns>The member's cluster address.</returns>
    public string Start(string name, Func<object, string, object?> answer)
    {
        var system = ActorSystem.Create(name, Config);
        _systems.Add(system);
        system.ActorOf(Props.Create(() => new NodeStandIn(answer)), "node");
        return AddressOf(system);
    }

    public static string AddressOf(ActorSystem system) => ((ExtendedActorSystem)system).Provider.DefaultAddress.ToString();

    /// <summary>A valid single-file info dictionary (its hash is what a member is asked for).</summary>
    public static (byte[] Bytes, string InfoHash) InfoDictionary(string name)
    {
        var pieces = new byte[20];
        var bytes = Encoding.ASCII.GetBytes($"d6:lengthi3e4:name{name.Length}:{name}12:piece lengthi16384e6:pieces20:").Concat(pieces).Append((byte)'e').ToArray();
        return (bytes, MetainfoParser.ParseInfoDictionary(bytes).InfoHash.Hex);
    }

    public void Dispose()
    {
        foreach (var system in _systems)
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>/user/node, whose child "cluster" is where members address each other.</summary>
    private sealed class NodeStandIn : UntypedActor
    {
        public NodeStandIn(Func<object, string, object?> answer) => Context.ActorOf(Props.Create(() => new Answering(answer)), "cluster");

        protected override void OnReceive(object message) => Unhandled(message);
    }

    private sealed class Answering(Func<object, string, object?> answer) : UntypedActor
    {
        protected override void OnReceive(object message)
        {
            if (answer(message, AddressOf(Context.System)) is { } reply)
            {
                Sender.Tell(reply);
            }
        }
    }
}
