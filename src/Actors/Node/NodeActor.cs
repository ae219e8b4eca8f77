using System.Net.Sockets;
using Akka.Actor;

namespace Swarm.Actors.Node;

/// <summary>The root of one node's hierarchy: the torrents and the peer listener. Its children are
/// restarted on failure; nothing below takes the node down.</summary>
public sealed class NodeActor : ReceiveActor
{
    public NodeActor(NodeContext node, Socket listener)
    {
        var torrents = Context.ActorOf(TorrentsActor.Props(node), "torrents");
        Context.ActorOf(Peers.PeerListenerActor.Props(listener, torrents, node.Settings.Peer), "listener");
        ReceiveAny(m => torrents.Forward(m));
    }

    public static Props Props(NodeContext node, Socket listener) => Akka.Actor.Props.Create(() => new NodeActor(node, listener));
}
