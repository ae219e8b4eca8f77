using System.Net.Sockets;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.Clustering;
using Swarm.Actors.Torrent;
using static Swarm.Actors.NodeMessages;

namespace Swarm.Actors;

/// <summary>The root of one node's hierarchy: the catalog of torrents, the peer listener and, on a cluster member, its
/// presence in the cluster. Routes cluster commands to the presence and everything else to the catalog. Its children
/// are restarted on failure (the default strategy); nothing below takes the node down.</summary>
/// <remarks>The peer port is bound before the node starts (a taken port fails the start at once) but listens only when
/// there is something to serve (<see cref="PeerPortOpening"/>): a peer that connects while the journal still recovers
/// would only be turned away, and one that finds the port closed tries again later.</remarks>
public sealed class NodeActor : ReceiveActor
{
    private readonly NodeContext _node;
    private readonly Socket _listener;
    private readonly IActorRef _catalog;
    private readonly List<IActorRef> _awaitingPort = [];
    private bool _portOpen;
    private IActorRef _dht = ActorRefs.Nobody;
    private IActorRef _utp = ActorRefs.Nobody;

    public NodeActor(NodeContext node, Socket listener, ClusterNodeInfo? cluster, PeerPortOpening opening, Dht.DhtStart? dht)
    {
        _node = node;
        _listener = listener;
        if (dht is not null)
        {
            // DHT (issue 15): before the catalog, and subscribed here (synchronously), so no torrent's TrackOnDht is missed.
            var udp = Context.ActorOf(Dht.UdpPeerSocketActor.Props(dht.Udp), "udp");
            if (dht.RunDht)
            {
                _dht = Context.ActorOf(Dht.DhtActor.Props(node, udp, dht), "dht");
                Context.System.EventStream.Subscribe(_dht, typeof(Dht.DhtMessages.TrackOnDht));
            }

            if (node.Settings.Utp.Enabled)
            {
                // uTP (issue 16): on the same UDP socket; dials use it at once, it accepts once the listener is up.
                _utp = Context.ActorOf(Utp.UtpSocketActor.Props(udp, node.Settings.Utp, node.Clock), "utp");
                node.Dialer.UseUtp(new Utp.UtpDialer(_utp, node.Settings.Utp.DialUtpFirst));
            }
        }

        _catalog = Context.ActorOf(CatalogActor.Props(node), "torrents");
        if (node.Settings.MemoryTrim.Enabled)
        {
            Context.ActorOf(Storage.MemoryTrimActor.Props(node.Settings.MemoryTrim, node.Buffers), "memory-trim"); // issue 14: footprint
        }

        if (node.Settings.Lsd.Enabled)
        {
            Context.ActorOf(Lsd.LsdActor.Props(_catalog, node), "lsd"); // issue 15: local service discovery
        }

        var presence = cluster is null ? ActorRefs.Nobody : Context.ActorOf(AvailabilityActor.Props(_catalog, cluster, node.Settings.Cluster, node.Clock), "cluster");
        if (opening == PeerPortOpening.WhenATorrentIsReady)
        {
            Context.System.EventStream.Subscribe(Self, typeof(TorrentMessages.TorrentReadyForPeers));
        }

        Receive<CatalogMessages.CatalogRecovered>(_ =>
        {
            if (opening == PeerPortOpening.AfterRecovery)
            {
                OpenPeerPort();
            }
        });
        Receive<TorrentMessages.TorrentReadyForPeers>(_ =>
        {
            Context.System.EventStream.Unsubscribe(Self, typeof(TorrentMessages.TorrentReadyForPeers));
            OpenPeerPort();
        });
        Receive<AwaitPeerPort>(_ =>
        {
            if (_portOpen)
            {
                Sender.Tell(new PeerPortOpened());
            }
            else
            {
                _awaitingPort.Add(Sender);
            }
        });
        Receive<Dht.DhtMessages.GetDhtStatus>(m =>
        {
            if (_dht.IsNobody())
            {
                Sender.Tell(new Dht.DhtMessages.DhtOff());
            }
            else
            {
                _dht.Forward(m);
            }
        });
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
        ReceiveAny(m => _catalog.Forward(m));
    }

    /// <param name="dht">The DHT's start (issue 15); null runs the node without a DHT (--no-dht, most tests).</param>
    public static Props Props(NodeContext node, Socket listener, ClusterNodeInfo? cluster = null, PeerPortOpening opening = PeerPortOpening.AfterRecovery, Dht.DhtStart? dht = null) =>
        Akka.Actor.Props.Create(() => new NodeActor(node, listener, cluster, opening, dht));

    private void OpenPeerPort()
    {
        if (_portOpen)
        {
            return;
        }

        // Listening on a socket that already listens (as tests hand in) only sets its backlog again.
        _listener.Listen(_node.Settings.Peer.ListenBacklog);
        var listener = Context.ActorOf(Peers.PeerListenerActor.Props(_listener, _catalog, _node.Settings.Peer, _node.Settings.PeerHardening, _node.Clock), "listener");
        _utp.Tell(new Utp.UtpSocketMessages.AcceptUtpWith(listener)); // uTP (issue 16): incoming uTP joins the same admission
        _portOpen = true;
        foreach (var waiter in _awaitingPort)
        {
            waiter.Tell(new PeerPortOpened());
        }

        _awaitingPort.Clear();
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
