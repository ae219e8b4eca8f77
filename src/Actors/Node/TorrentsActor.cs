using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Torrent;
using static Swarm.Actors.Node.NodeMessages;

namespace Swarm.Actors.Node;

/// <summary>Parent of every torrent on the node, keyed by info-hash. A torrent that throws is restarted
/// on its own; the others and the node are untouched.</summary>
public sealed class TorrentsActor : ReceiveActor
{
    private readonly NodeContext _node;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _torrents = new(StringComparer.Ordinal);

    public TorrentsActor(NodeContext node)
    {
        _node = node;
        Receive<AddTorrent>(OnAdd);
        Receive<RemoveTorrent>(r =>
        {
            if (_torrents.Remove(r.InfoHash, out var t))
            {
                Context.Stop(t);
                Sender.Tell(new NodeMessages.TorrentRemoved(r.InfoHash));
            }
            else
            {
                Sender.Tell(new UnknownTorrent(r.InfoHash));
            }
        });
        Receive<ForTorrent>(f =>
        {
            if (_torrents.TryGetValue(f.InfoHash, out var t))
            {
                t.Forward(f.Message);
            }
            else
            {
                Sender.Tell(new UnknownTorrent(f.InfoHash));
            }
        });
        Receive<TorrentMessages.IncomingPeer>(p =>
        {
            if (_torrents.TryGetValue(p.Handshake.InfoHash.Hex, out var t))
            {
                t.Tell(p);
            }
            else
            {
                _log.Debug("incoming peer {0} asked for unknown torrent {1}", p.Socket.RemoteEndPoint, p.Handshake.InfoHash.Hex);
                p.Socket.Dispose();
            }
        });
        ReceiveAsync<ListTorrents>(async _ =>
        {
            var sender = Sender;
            var all = await Task.WhenAll(_torrents.Values.Select(t => t.Ask<TorrentStatus>(new TorrentMessages.GetStatus(), TimeSpan.FromSeconds(5))));
            sender.Tell(new TorrentList(all));
        });
        Receive<Terminated>(t =>
        {
            foreach (var key in _torrents.Where(kv => kv.Value.Equals(t.ActorRef)).Select(kv => kv.Key).ToList())
            {
                _torrents.Remove(key);
            }
        });
    }

    public static Props Props(NodeContext node) => Akka.Actor.Props.Create(() => new TorrentsActor(node));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(
        10,
        60_000,
        e =>
        {
            _log.Error("a torrent failed and is restarted: {0}: {1}", e.GetType().Name, e.Message);
            return Directive.Restart;
        },
        false);

    private void OnAdd(AddTorrent a)
    {
        var hash = a.Metainfo.InfoHash.Hex;
        if (_torrents.ContainsKey(hash))
        {
            Sender.Tell(new AddTorrentRejected($"torrent {hash} is already on this node"));
            return;
        }

        var actor = Context.ActorOf(TorrentActor.Props(a.Metainfo, a.SavePath, a.Options, _node), $"torrent-{hash}");
        Context.Watch(actor);
        _torrents[hash] = actor;
        _log.Info("torrent {0} ({1}) added, saving to {2}", hash[..8], a.Metainfo.Name, a.SavePath);
        Sender.Tell(new TorrentAccepted(hash));
    }
}
