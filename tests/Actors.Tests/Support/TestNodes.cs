using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Swarm.Actors.Catalog;
using Swarm.Actors.Configuration;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Actors.Torrent;

namespace Swarm.Actors.Tests.Support;

/// <summary>The real hocon/swarm.conf with test-friendly timers, and real nodes (listener bound on loopback).</summary>
public static class TestNodes
{
    public static Config Config { get; } = ConfigurationFactory.ParseString("""
        akka.loglevel = INFO
        swarm.stats-interval = 200ms
        swarm.peer.handshake-timeout = 3s
        swarm.lsd.enabled = off
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """).WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "hocon", "swarm.conf"))));

    public static SwarmSettings Settings { get; } = SwarmSettings.From(Config);

    /// <param name="nodeId">Reuse one to restart a node: it recovers its catalog from the (in-memory) journal.</param>
    /// <param name="port">The peer port; 0 takes a free one.</param>
    public static (IActorRef Node, IPEndPoint Listen) Start(ActorSystem system, string name, string? nodeId = null, int port = 0)
    {
        var (node, listen, _) = Start(system, name, Settings, nodeId: nodeId, port: port);
        return (node, listen);
    }

    /// <summary>A node with settings and a clock of the test's own, its peer socket listening on loopback with
    /// <paramref name="backlog"/>.</summary>
    public static (IActorRef Node, IPEndPoint Listen, NodeContext Context) Start(ActorSystem system, string name, SwarmSettings settings, TimeProvider? clock = null, int backlog = 16, string? nodeId = null, int port = 0)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        socket.Listen(backlog);
        var listen = (IPEndPoint)socket.LocalEndPoint!;
        var context = NodeContext.Create(nodeId ?? $"{name}-{Guid.NewGuid():N}", settings, listen.Port, clock);
        return (system.ActorOf(NodeActor.Props(context, socket), name), listen, context);
    }

    /// <summary>Asks a node for a torrent's status (each ask bounded by <paramref name="ask"/>) until <paramref name="done"/>
    /// holds, within <paramref name="timeout"/>.</summary>
    public static async Task<TorrentStatus> AwaitStatus(IActorRef node, string hash, Func<TorrentStatus, bool> done, TimeSpan timeout, TimeSpan ask)
    {
        var deadline = DateTime.UtcNow + timeout;
        TorrentStatus? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = await node.Ask<TorrentStatus>(new CatalogMessages.ForTorrent(hash, new TorrentMessages.GetStatus()), ask);
            if (done(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"torrent {hash} did not reach the expected state; last: {last}");
    }

    /// <summary>A loopback port nothing listens on (yet): connections to it are refused.</summary>
    public static int UnusedPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    /// <summary>The node's configuration with Akka.Persistence.TestKit's journal and snapshot store, which fail on demand.</summary>
    public static Config TestJournalConfig => ConfigurationFactory.ParseString("""
        akka.persistence.journal {
          plugin = "akka.persistence.journal.test"
          test {
            class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
            plugin-dispatcher = "akka.actor.default-dispatcher"
          }
        }
        akka.persistence.snapshot-store {
          plugin = "akka.persistence.snapshot-store.test"
          test {
            class = "Akka.Persistence.TestKit.TestSnapshotStore, Akka.Persistence.TestKit"
            plugin-dispatcher = "akka.actor.default-dispatcher"
          }
        }
        """).WithFallback(TestNodes.Config);
}
