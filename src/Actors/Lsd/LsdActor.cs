using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Catalog;
using Swarm.Actors.Configuration;
using Swarm.Actors.Torrent;
using Swarm.Protocol;
using Swarm.Protocol.Lsd;
using static Swarm.Actors.Lsd.LsdMessages;

namespace Swarm.Actors.Lsd;

/// <summary>Local service discovery (BEP 14, issue 15), one per node: announces the node's public torrents to the
/// multicast group every interval (and when a torrent starts), and gives the peers it hears announcing those torrents
/// to them as candidates (source "lsd"). Private torrents (BEP 27) are neither announced nor fed. Received datagrams
/// pass <see cref="LsdGate"/> before they are parsed; our own announces, looped back, are known by their cookie.</summary>
public sealed class LsdActor : HandlerActor, IWithTimers
{
    private readonly IActorRef _catalog;
    private readonly NodeContext _node;
    private readonly LsdSettings _cfg;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _cookie = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..16];
    private readonly IPEndPoint _group;
    private Socket? _socket;
    private HashSet<InfoHash> _public = [];
    private LsdGate _gate = LsdGate.Empty;
    private LsdSchedule _schedule = LsdSchedule.Empty;
    private LsdListing _listing = LsdListing.Idle;

    public LsdActor(IActorRef catalog, NodeContext node)
    {
        _catalog = catalog;
        _node = node;
        _cfg = node.Settings.Lsd;
        _group = new IPEndPoint(IPAddress.Parse(_cfg.Group), _cfg.Port);
        Receive<LsdAnnounceTick>(_ => ListTorrents());
        // Torrents resuming together (a restart) are listed once per ready-delay, not once each.
        Receive<TorrentMessages.TorrentReadyForPeers>(_ =>
        {
            if (!Timers.IsTimerActive(ReadyTimer))
            {
                Timers.StartSingleTimer(ReadyTimer, LsdAnnounceTick.Instance, _cfg.ReadyDelay);
            }
        });
        Receive<LsdTorrentsListed>(OnListed);
        Receive<LsdDatagram>(OnDatagram);
        ReceiveAny(_ => { }); // the catalog's answers to AddPeers for torrents it no longer holds
    }

    private const string ReadyTimer = "ready";

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef catalog, NodeContext node) => Akka.Actor.Props.Create(() => new LsdActor(catalog, node));

    protected override void PreStart()
    {
        try
        {
            _socket = Open();
        }
        catch (SocketException e)
        {
            // Not fatal: the node works without LSD (another program may hold the port without SO_REUSEADDR).
            _log.Warning("local service discovery off: cannot join {0} ({1})", _group, e.Message);
            return;
        }

        _log.Info("local service discovery on {0} (interface {1})", _group, _cfg.Interface.Length == 0 ? "default" : _cfg.Interface);
        var self = Self; // the loop runs off the actor: no Context there
        _ = Task.Run(() => ReceiveLoop(self));
        Context.System.EventStream.Subscribe(Self, typeof(TorrentMessages.TorrentReadyForPeers));
        Timers.StartPeriodicTimer("announce", LsdAnnounceTick.Instance, _cfg.Interval);
        Self.Tell(LsdAnnounceTick.Instance);
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        _stop.Cancel();
        _socket?.Dispose();
        _stop.Dispose();
    }

    private Socket Open()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true); // every node on this machine hears the group
            socket.Bind(new IPEndPoint(IPAddress.Any, _cfg.Port));
            var iface = _cfg.Interface.Length == 0 ? IPAddress.Any : IPAddress.Parse(_cfg.Interface);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(_group.Address, iface));
            if (!iface.Equals(IPAddress.Any))
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, iface.GetAddressBytes());
            }

            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true); // other nodes on this machine
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, _cfg.Ttl);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task ReceiveLoop(IActorRef self)
    {
        var buffer = new byte[_cfg.MaxMessageSize + 1]; // a datagram that fills it was longer than allowed
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket!.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // an oversized datagram or an ICMP echo: nothing to read
            }

            if (received.ReceivedBytes <= _cfg.MaxMessageSize)
            {
                self.Tell(new LsdDatagram(buffer.AsSpan(0, received.ReceivedBytes).ToArray(), (IPEndPoint)received.RemoteEndPoint));
            }
        }
    }

    private void ListTorrents()
    {
        (_listing, var ask) = _listing.Requested();
        if (ask)
        {
            AskForList();
        }
    }

    private void AskForList() =>
        _catalog.Ask<CatalogMessages.TorrentList>(new CatalogMessages.ListTorrents(), _node.Settings.Console.CommandTimeout)
            .ContinueWith(t => new LsdTorrentsListed(t.IsCompletedSuccessfully ? t.Result : null), TaskScheduler.Default)
            .PipeTo(Self);

    private void OnListed(LsdTorrentsListed listed)
    {
        (_listing, var again) = _listing.Answered();
        if (again)
        {
            AskForList();
        }

        if (listed.List is null || _socket is null)
        {
            return;
        }

        _public = [.. listed.List.Torrents
            .Where(t => !t.IsPrivate && t.State is not (TorrentState.Error or TorrentState.Failed or TorrentState.Paused))
            .Select(t => InfoHash.Parse(t.InfoHash))];
        (_schedule, var batches) = _schedule.Due(_public, _node.Clock.GetUtcNow(), _cfg.MinAnnounceInterval, _cfg.MaxInfoHashesPerMessage);
        foreach (var batch in batches)
        {
            try
            {
                _socket.SendTo(new LsdAnnounce(_node.ListenPort, batch, _cookie).Encode(_group.ToString()), _group);
            }
            catch (SocketException e)
            {
                _log.Debug("lsd: announce not sent: {0}", e.Message);
            }
        }
    }

    private void OnDatagram(LsdDatagram d)
    {
        (_gate, var admitted) = _gate.Admit(d.From.Address, _node.Clock.GetUtcNow(), _cfg.MaxPerSourcePerMinute, _cfg.MaxPerMinute);
        if (!admitted || LsdAnnounce.Decode(d.Bytes, _cfg.MaxMessageSize, _cfg.MaxInfoHashesPerMessage) is not { } announce || announce.Cookie == _cookie)
        {
            return;
        }

        var peer = new IPEndPoint(d.From.Address, announce.Port);
        foreach (var hash in announce.InfoHashes.Where(_public.Contains))
        {
            _catalog.Tell(new CatalogMessages.ForTorrent(hash.Hex, new TorrentMessages.AddPeers([peer], "lsd")));
        }
    }
}
