using System.Net.Sockets;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.Clustering;

namespace Swarm.Actors;

/// <summary>The root of one node's hierarchy: the catalog of torrents, the peer listener and, on a cluster member, its
/// presence in the cluster. Routes cluster commands to the presence and everything else to the catalog. Its children
/// are restarted on failure (the default strategy); nothing below takes the node down.</summary>
public sealed class NodeActor : ReceiveActor
{
    public NodeActor(NodeContext node, Socket listener, ClusterNodeInfo? cluster)
    {
        var catalog = Context.ActorOf(CatalogActor.Props(node), "torrents");
        Context.ActorOf(Peers.PeerListenerActor.Props(listener, catalog, node.Settings.Peer, node.Settings.PeerHardening, node.Clock), "listener");
        var presence = cluster is null ? ActorRefs.Nobody : Context.ActorOf(AvailabilityActor.Props(catalog, cluster, node.Settings.Cluster, node.Clock), "cluster");
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
        ReceiveAny(m => catalog.Forward(m));
    }

    public static Props Props(NodeContext node, Socket listener, ClusterNodeInfo? cluster = null) =>
        Akka.Actor.Props.Create(() => new NodeActor(node, listener, cluster));
}
