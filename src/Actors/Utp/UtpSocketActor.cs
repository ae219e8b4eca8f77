using System.Net;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Actors.Dht;
using Swarm.Actors.Peers;
using Swarm.Protocol.Utp;
using static Swarm.Actors.Utp.UtpSocketMessages;

namespace Swarm.Actors.Utp;

/// <summary>The node's uTP endpoint (issue 16, BEP 29) on the UDP peer port: it feeds the datagrams
/// <see cref="UdpPeerSocketActor"/> routes here to a <see cref="UtpMultiplexer"/> (which holds every rule), sends what
/// that produces back through the same socket, and joins each connection to a <see cref="UtpStream"/> so a
/// <see cref="PeerLink"/> runs over it. Incoming connections go to the peer listener like TCP ones, once the peer spoke
/// after its SYN, so a spoofed SYN never reaches it.</summary>
public sealed class UtpSocketActor : HandlerActor, IWithTimers
{
    private readonly IActorRef _udp;
    private readonly UtpSettings _settings;
    private readonly TimeProvider _clock;
    private readonly long _start;
    private readonly UtpMultiplexer _mux;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<UtpConnection, Entry> _entries = [];
    private readonly Dictionary<long, Entry> _byId = [];
    private readonly byte[] _readBuffer = new byte[64 * 1024];
    private IActorRef _listener = ActorRefs.Nobody;
    private long _nextId;
    private bool _flushScheduled;

    public UtpSocketActor(IActorRef udp, UtpSettings settings, TimeProvider clock)
    {
        _udp = udp;
        _settings = settings;
        _clock = clock;
        _start = clock.GetTimestamp();
        _mux = new UtpMultiplexer(settings.Connection, settings.Limits with { AcceptIncoming = false }, new Random());
        Receive<UdpPeerSocketMessages.UtpDatagrams>(OnDatagrams);
        Receive<FlushNow>(_ => OnFlush());
        Receive<UtpTick>(_ => OnTick());
        Receive<UtpConnect>(OnConnect);
        Receive<AcceptUtpWith>(a =>
        {
            _listener = a.Listener;
            _mux.Accepting = true;
        });
        Receive<StreamWrite>(OnWrite);
        Receive<StreamRoom>(r => WithEntry(r.Id, Pump));
        Receive<StreamClose>(c => WithEntry(c.Id, OnClose));
        Receive<StreamAbort>(a => WithEntry(a.Id, OnAbort));
        Receive<GetUtpStatus>(_ => Sender.Tell(new UtpStatus(_mux.Count, _mux.HalfOpen, _mux.SynsDropped, _mux.Malformed, _mux.ResetsSent)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="udp">The node's <see cref="UdpPeerSocketActor"/>; this actor registers itself there.</param>
    /// <param name="clock">The node's clock (<see cref="NodeContext.Clock"/>); its timestamps time every packet.</param>
    public static Props Props(IActorRef udp, UtpSettings settings, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new UtpSocketActor(udp, settings, clock));

    protected override void PreStart() => _udp.Tell(new UdpPeerSocketMessages.RegisterUtpHandler(Self)
    {
        SocketReceiveBuffer = _settings.SocketReceiveBuffer,
        SocketSendBuffer = _settings.SocketSendBuffer,
        ReceiveBatch = _settings.ReceiveBatch,
        Clock = _clock,
    });

    protected override void PostStop()
    {
        foreach (var e in _entries.Values)
        {
            e.Stream?.Fail("the node's uTP endpoint stopped");
            e.Dial?.TrySetException(new UtpRefusedException("the node's uTP endpoint stopped"));
            FailWrites(e, "the node's uTP endpoint stopped");
        }
    }

    /// <summary>Microseconds of the node's monotonic clock, the unit of uTP's timestamps.</summary>
    private long Now => _clock.GetElapsedTime(_start).Ticks / 10;

    private long MicrosSinceStart(long timestamp) => _clock.GetElapsedTime(_start, timestamp).Ticks / 10;

    private void OnDatagrams(UdpPeerSocketMessages.UtpDatagrams batch)
    {
        // Timed when the socket gave them up, not now: a wait in the mailboxes on the way is ours, not the path's
        // queuing delay, and would make the peer's LEDBAT (and ours) back off from an idle link.
        var now = batch.ReceivedAt is { } at ? Math.Min(Now, MicrosSinceStart(at)) : Now;
        foreach (var d in batch.Datagrams)
        {
            _mux.Receive(d.Bytes, d.From, now);
        }

        // Acks and stream hand-overs wait until the datagrams already in the mailbox are in: one ack per batch.
        if (!_flushScheduled)
        {
            _flushScheduled = true;
            Self.Tell(FlushNow.Instance);
        }
    }

    private void OnFlush()
    {
        _flushScheduled = false;
        var now = Now;
        foreach (var c in _mux.Flush(now))
        {
            if (_entries.TryGetValue(c, out var e))
            {
                Pump(e);
            }
        }

        foreach (var c in _mux.TakeAccepted())
        {
            _entries[c] = new Entry(NextId(), c, _mux.RemoteOf(c), null);
            _byId[_entries[c].Id] = _entries[c];
            Pump(_entries[c]);
        }

        SendOutgoing();
    }

    private void OnTick()
    {
        var now = Now;
        var finished = _mux.Tick(now);
        foreach (var e in _entries.Values.ToArray())
        {
            Pump(e);
        }

        foreach (var c in finished)
        {
            if (_entries.Remove(c, out var e))
            {
                _byId.Remove(e.Id);
            }
        }

        SendOutgoing();
    }

    private void OnConnect(UtpConnect m)
    {
        var c = _mux.Connect(m.Remote, Now);
        var e = new Entry(NextId(), c, m.Remote, m.Result);
        _entries[c] = e;
        _byId[e.Id] = e;
        SendOutgoing();
    }

    private void OnWrite(StreamWrite w)
    {
        if (!_byId.TryGetValue(w.Id, out var e))
        {
            w.Done.TrySetException(new IOException("uTP connection closed"));
            return;
        }

        e.Writes.Enqueue(new PendingWrite(w.Bytes, w.Done));
        Pump(e);
        SendOutgoing();
    }

    private void OnClose(Entry e)
    {
        e.Connection.Close();
        e.Stream?.End();
        FailWrites(e, "closed");
        Pump(e);
        SendOutgoing();
    }

    private void OnAbort(Entry e)
    {
        e.Stream?.Fail("aborted");
        FailWrites(e, "aborted");
        _mux.Remove(e.Connection, Now);
        _entries.Remove(e.Connection);
        _byId.Remove(e.Id);
        SendOutgoing();
    }

    /// <summary>Moves what can move between a connection and its stream, hands over a link whose connection just
    /// opened, and flushes the connection.</summary>
    private void Pump(Entry e)
    {
        var c = e.Connection;
        if (e.Stream is null && c.State == UtpState.Connected)
        {
            Open(e);
        }

        while (e.Writes.TryPeek(out var w))
        {
            w.Offset += c.Write(w.Bytes.AsSpan(w.Offset));
            if (w.Offset < w.Bytes.Length)
            {
                break;
            }

            e.Writes.Dequeue();
            w.Done.TrySetResult();
        }

        if (e.Stream is { } stream)
        {
            int room;
            while (c.Readable > 0 && (room = stream.Room) > 0)
            {
                var n = c.Read(_readBuffer.AsSpan(0, Math.Min(room, _readBuffer.Length)));
                stream.Deliver(_readBuffer.AsSpan(0, n));
            }

            if (c.AtEnd || c.State == UtpState.Closed)
            {
                stream.End();
            }
        }

        if (c.State == UtpState.Failed)
        {
            var error = c.Error ?? "failed";
            if (e.Stream is not null || e.Dial is not null)
            {
                _log.Debug("uTP connection with {0} ended: {1}", e.Remote, error);
            }

            e.Stream?.Fail(error);
            FailWrites(e, error);
            if (e.Dial is { } dial && dial.TrySetException(new UtpRefusedException($"uTP to {e.Remote}: {error}")))
            {
                e.Dial = null;
            }
        }

        _mux.Flush(c, Now);
    }

    private void Open(Entry e)
    {
        var stream = new UtpStream(e.Id, Self, _settings.StreamBuffer);
        e.Stream = stream;
        var self = Self;
        var id = e.Id;
        var link = new PeerLink(stream, e.Remote, PeerTransport.Utp, shutdown: () => self.Tell(new StreamClose(id)), abort: () => self.Tell(new StreamAbort(id)));
        if (e.Dial is { } dial)
        {
            e.Dial = null;
            if (!dial.TrySetResult(link))
            {
                link.Abort(); // the dialler gave up meanwhile
            }
        }
        else if (!_listener.IsNobody())
        {
            _listener.Tell(new PeerListenerMessages.IncomingLink(link));
        }
        else
        {
            link.Abort();
        }
    }

    private void SendOutgoing()
    {
        var outgoing = _mux.TakeOutgoing();
        if (outgoing.Count > 0)
        {
            // One message per flush, not per packet: the socket actor's mailbox is shared with every receive.
            var batch = new UdpPeerSocketMessages.SendDatagram[outgoing.Count];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = new UdpPeerSocketMessages.SendDatagram(outgoing[i].Bytes, outgoing[i].To);
            }

            _udp.Tell(new UdpPeerSocketMessages.SendDatagrams(batch));
        }

        // Timers run only while there are connections: an idle node is not woken for uTP.
        if (_mux.Count > 0 && !Timers.IsTimerActive("tick"))
        {
            Timers.StartPeriodicTimer("tick", UtpTick.Instance, _settings.TickInterval);
        }
        else if (_mux.Count == 0 && Timers.IsTimerActive("tick"))
        {
            Timers.Cancel("tick");
        }
    }

    private void WithEntry(long id, Action<Entry> act)
    {
        if (_byId.TryGetValue(id, out var e))
        {
            act(e);
        }
    }

    private static void FailWrites(Entry e, string error)
    {
        while (e.Writes.TryDequeue(out var w))
        {
            w.Done.TrySetException(new IOException($"uTP connection {error}"));
        }
    }

    private long NextId() => ++_nextId;

    private sealed class Entry(long id, UtpConnection connection, IPEndPoint remote, TaskCompletionSource<PeerLink>? dial)
    {
        public long Id { get; } = id;

        public IPEndPoint Remote { get; } = remote;

        public UtpConnection Connection { get; } = connection;

        public TaskCompletionSource<PeerLink>? Dial { get; set; } = dial;

        public UtpStream? Stream { get; set; }

        public Queue<PendingWrite> Writes { get; } = new();
    }

    private sealed class PendingWrite(byte[] bytes, TaskCompletionSource done)
    {
        public byte[] Bytes { get; } = bytes;

        public TaskCompletionSource Done { get; } = done;

        public int Offset { get; set; }
    }
}
