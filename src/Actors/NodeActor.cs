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
public sealed class NodeActor : UntypedActor
{
    private readonly NodeContext _node;
    private readonly Socket _listener;
    private readonly PeerPortOpening _opening;
    private readonly IActorRef _catalog;
    private readonly IActorRef _presence;
    private readonly List<IActorRef> _awaitingPort = [];
    private readonly Dht.DhtStart? _dhtStart;
    private readonly IActorRef _udp = ActorRefs.Nobody;
    private bool _portOpen;
    private IActorRef _dht = ActorRefs.Nobody;
    private IActorRef _utp = ActorRefs.Nobody;

    /// <summary>What came for the DHT before it started (a one-shot node starts it once its port listens).</summary>
    private List<(object Message, IActorRef Sender)>? _forDht;

    public NodeActor(NodeContext node, Socket listener, ClusterNodeInfo? cluster, PeerPortOpening opening, Dht.DhtStart? dht)
    {
        _node = node;
        _listener = listener;
        _opening = opening;
        if (dht is not null)
        {
            // DHT (issue 15): the UDP socket's reader first, for the DHT and uTP alike.
            _udp = Context.ActorOf(Dht.UdpPeerSocketActor.Props(dht.Udp), "udp");
            if (dht.RunDht)
            {
                _dhtStart = dht;
                if (opening == PeerPortOpening.AfterRecovery)
                {
                    StartDht();
                }
                else
                {
                    // Start-up (issue 14): a one-shot get/seed starts the DHT once its torrent is ready and its port
                    // listens, off the path to its first peers; what torrents publish for it meanwhile is kept here.
                    _forDht = [];
                    Context.System.EventStream.Subscribe(Self, typeof(Dht.DhtMessages.TrackOnDht));
                }
            }

            if (node.Settings.Utp.Enabled)
            {
                // uTP (issue 16): on the same UDP socket; dials use it at once, it accepts once the listener is up.
                _utp = Context.ActorOf(Utp.UtpSocketActor.Props(_udp, node.Settings.Utp, node.Clock), "utp");
                node.Dialer.UseUtp(new Utp.UtpDialer(_utp, node.Settings.Utp.DialUtpFirst));
            }
        }

        _catalog = Context.ActorOf(CatalogActor.Props(node), "torrents");
        if (node.Settings.MemoryTrim.Enabled)
        {
            Context.ActorOf(Storage.MemoryTrimActor.Props(node.Settings.MemoryTrim, node.Buffers, oneShot: opening == PeerPortOpening.WhenATorrentIsReady, catalog: _catalog), "memory-trim"); // issue 14: footprint
        }

        if (node.Settings.Lsd.Enabled && opening == PeerPortOpening.AfterRecovery)
        {
            StartLsd();
        }

        _presence = cluster is null ? ActorRefs.Nobody : Context.ActorOf(AvailabilityActor.Props(_catalog, cluster, node.Settings.Cluster, node.Clock), "cluster");
        if (opening == PeerPortOpening.WhenATorrentIsReady)
        {
            Context.System.EventStream.Subscribe(Self, typeof(TorrentMessages.TorrentReadyForPeers));
        }
    }

    /// <remarks>Untyped (issue 14): a ReceiveActor compiles its handlers into one delegate when it is made, on the path of
    /// every start.</remarks>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case CatalogMessages.CatalogRecovered:
                if (_opening == PeerPortOpening.AfterRecovery)
                {
                    OpenPeerPort();
                }

                break;
            case TorrentMessages.TorrentReadyForPeers:
                Context.System.EventStream.Unsubscribe(Self, typeof(TorrentMessages.TorrentReadyForPeers));
                OpenPeerPort();
                break;
            case AwaitPeerPort:
                if (_portOpen)
                {
                    Sender.Tell(new PeerPortOpened());
                }
                else
                {
                    _awaitingPort.Add(Sender);
                }

                break;
            case Dht.DhtMessages.TrackOnDht or Dht.DhtMessages.GetDhtStatus when _forDht is not null:
                _forDht.Add((message, Sender));
                break;
            case Dht.DhtMessages.TrackOnDht track:
                // Published before the DHT subscribed (it gets later ones itself).
                _dht.Tell(track);
                break;
            case Dht.DhtMessages.GetDhtStatus:
                if (_dht.IsNobody())
                {
                    Sender.Tell(new Dht.DhtMessages.DhtOff());
                }
                else
                {
                    _dht.Forward(message);
                }

                break;
            case ClusterMessages.IClusterCommand:
                if (_presence.IsNobody())
                {
                    Sender.Tell(new ClusterMessages.NotClustered());
                }
                else
                {
                    _presence.Forward(message);
                }

                break;
            default:
                _catalog.Forward(message);
                break;
        }
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
        if (_opening == PeerPortOpening.WhenATorrentIsReady)
        {
            if (_forDht is not null)
            {
                StartDht();
                Context.System.EventStream.Unsubscribe(Self, typeof(Dht.DhtMessages.TrackOnDht));
                foreach (var (m, sender) in _forDht)
                {
                    _dht.Tell(m, sender);
                }

                _forDht = null;
            }

            if (_node.Settings.Lsd.Enabled)
            {
                StartLsd();
            }
        }
    }

    private void StartDht()
    {
        _dht = Context.ActorOf(Dht.DhtActor.Props(_node, _udp, _dhtStart!), "dht");
        // Subscribed here (synchronously), not only in its PreStart: no TrackOnDht published from now on is missed.
        Context.System.EventStream.Subscribe(_dht, typeof(Dht.DhtMessages.TrackOnDht));
    }

    private void StartLsd() => Context.ActorOf(Lsd.LsdActor.Props(_catalog, _node), "lsd"); // issue 15: local service discovery

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
