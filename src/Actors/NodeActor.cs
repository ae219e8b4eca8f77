using System.Net.Sockets;
using Akka.Actor;
using Swarm.Actors.Clustering;

using Swarm.Actors.Catalog;

namespace Swarm.Actors;

/// <summary>The root of one node's hierarchy: the torrents, the peer listener and, on a cluster member, its presence
/// in the cluster. Its children are restarted on failure; nothing below takes the node down.</summary>
public sealed class NodeActor : ReceiveActor
{
    public NodeActor(NodeContext node, Socket listener, ClusterNodeInfo? cluster)
    {
        var torrents = Context.ActorOf(CatalogActor.Props(node), "torrents");
        Context.ActorOf(Peers.PeerListenerActor.Props(listener, torrents, node.Settings.Peer), "listener");
        var presence = cluster is null ? ActorRefs.Nobody : Context.ActorOf(AvailabilityActor.Props(torrents, cluster, node.Settings.Cluster, node.Clock), "cluster");
        Receive<ClusterMessages.IClusterCommand>(m =>
        {
            if (presence.IsNobody())
            {
                Sender.Tell(new ClusterMessages.NotClustered());
            }
            else
            {
                presence.Forward(m);
            }
        });
        ReceiveAny(m => torrents.Forward(m));
    }

    public static Props Props(NodeContext node, Socket listener, ClusterNodeInfo? cluster = null) =>
        Akka.Actor.Props.Create(() => new NodeActor(node, listener, cluster));
}
