using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.TrackerServer;

/// <summary>The tracker's UDP front end (BEP 15): a receive thread on its socket answers connects itself and tells each
/// announce to its swarm (found in the <see cref="TrackedSwarmIndex"/>; the registry for a torrent not tracked yet) with
/// a <see cref="UdpAnswer"/> as its sender, so the swarm's answer leaves from the thread that runs the swarm: with the
/// swarms on the <see cref="InlineDispatcher"/> that is this thread, one system call in and one out per announce and no
/// hand-off. Scrapes ask. Connection ids come from <see cref="UdpConnectionIds"/>. Short packets and unknown actions are
/// dropped; bad content in a known action gets an error packet. At most <c>udp-max-in-flight</c> requests wait for an
/// answer: past it the receive thread waits (and the kernel drops what its buffer cannot hold).</summary>
public sealed class UdpTrackerActor : HandlerActor, IWithTimers
{
    private readonly Socket _socket;
    private readonly IActorRef _registry;
    private readonly TrackerServerSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly UdpConnectionIds _connectionIds = UdpConnectionIds.WithRandomKey();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slotFreed = new(0);
    private readonly PendingAnswers<UdpAnswer> _waiting = new();
    private readonly IActorRefProvider _provider;
    private readonly ActorPath _answers;
    private readonly Action _release;
    private readonly TrackedSwarmIndex _index;
    private int _inFlight;

    public UdpTrackerActor(Socket socket, IActorRef registry, TrackerServerSettings settings, TimeProvider clock, TrackedSwarmIndex index)
    {
        _socket = socket;
        _registry = registry;
        _index = index;
        _settings = settings;
        _clock = clock;
        _provider = ((ExtendedActorSystem)Context.System).Provider;
        _answers = Self.Path / "answer";
        _release = Release;
        Receive<ExpireUdpAnswers>(_ => ExpireAnswers());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="clock">The minute connection ids are tied to; the system clock by default.</param>
    /// <param name="index">The registry's swarms (<see cref="TrackedSwarmIndex"/>); without it every announce goes to the registry.</param>
    public static Props Props(Socket socket, IActorRef registry, TrackerServerSettings settings, TimeProvider? clock = null, TrackedSwarmIndex? index = null) =>
        Akka.Actor.Props.Create(() => new UdpTrackerActor(socket, registry, settings, clock ?? TimeProvider.System, index ?? new TrackedSwarmIndex()));

    protected override void PreStart()
    {
        // A thread of its own, blocking in recvfrom: no task, no thread-pool hop per datagram.
        new Thread(ReceiveLoop) { IsBackground = true, Name = "udp-tracker" }.Start();
        var tick = _settings.AskTimeout / 4;
        Timers.StartPeriodicTimer("expire", ExpireUdpAnswers.Instance, tick > TimeSpan.Zero ? tick : TimeSpan.FromSeconds(1));
    }

    protected override void PostStop()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }

    /// <summary>Answers "busy" to announces still unanswered after the ask timeout, giving their slots back.</summary>
    private void ExpireAnswers()
    {
        _waiting.ExpireSentBefore(_clock.GetUtcNow() - _settings.AskTimeout);
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[UdpTrackerServerCodec.MaxRequestLength];
        // Filled in place by each receive: no endpoint object per datagram (an announce copies it for its answer).
        var from = new SocketAddress(_socket.AddressFamily);
        var capacity = from.Size;
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                from.Size = capacity;
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // an ICMP echo of an earlier answer, or an oversized datagram: not ours to fail on
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // the socket closed: the actor stopped
            }

            try
            {
                Handle(buffer.AsSpan(0, length), from);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private void Handle(ReadOnlySpan<byte> packet, SocketAddress from)
    {
        byte[]? answer;
        try
        {
            answer = Answer(packet, from, _clock.GetUtcNow());
        }
        catch (TrackerRequestException e)
        {
            answer = UdpTrackerServerCodec.TransactionId(packet) is { } tx ? UdpTrackerServerCodec.Error(tx, e.Message) : null;
        }

        if (answer is not null)
        {
            Send(answer, from);
        }
    }

    /// <summary>The answer to send now, or null (dropped, or answered later by the swarm or the scrape).</summary>
    /// <param name="now">The tracker's time, read once per datagram.</param>
    private byte[]? Answer(ReadOnlySpan<byte> packet, SocketAddress from, DateTimeOffset now)
    {
        var address = PeerAddress.From(from, out var port);
        switch (UdpTrackerServerCodec.Parse(packet, _settings.MaxNumWant))
        {
            case UdpConnectRequest c:
                return UdpTrackerServerCodec.ConnectResponse(c.TransactionId, _connectionIds.Issue(address, port, now));
            case UdpAnnounceRequest a:
                RequireConnection(a.ConnectionId, address, port, now);
                TakeSlot();
                var answer = new UdpAnswer(_socket, a.TransactionId, Copy(from), now, _release, _answers, _provider);
                _index.Route(a.Announce.InfoHash, _registry).Tell(new Announce(a.Announce, address.ToIPAddress()), answer);
                // Answered already (by this thread, running the swarm) unless the swarm was busy elsewhere: only an
                // answer still owed waits for the sweep, so answered ones die young instead of outliving a collection.
                if (!answer.IsDone)
                {
                    _waiting.Add(answer);
                }

                return null;
            case UdpScrapeRequest s:
                RequireConnection(s.ConnectionId, address, port, now);
                _ = Scrape(s, Copy(from));
                return null;
            default:
                return null;
        }
    }

    /// <summary>Waits while <c>udp-max-in-flight</c> announces are unanswered. Only this thread takes slots, so the
    /// count passes the bound by one at most, and an answer bringing it back to the bound is what lets it go on.</summary>
    private void TakeSlot()
    {
        if (Interlocked.Increment(ref _inFlight) > _settings.UdpMaxInFlight)
        {
            _slotFreed.Wait(_stop.Token);
        }
    }

    private static SocketAddress Copy(SocketAddress from)
    {
        var copy = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    private async Task Scrape(UdpScrapeRequest s, SocketAddress from)
    {
        byte[] answer;
        try
        {
            var scraped = await _registry.Ask<ScrapeAnswer>(new Scrape(s.InfoHashes), _settings.AskTimeout).ConfigureAwait(false);
            answer = UdpTrackerServerCodec.ScrapeResponse(s.TransactionId, scraped.Entries);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            answer = UdpTrackerServerCodec.Error(s.TransactionId, "tracker busy, try again");
        }

        Send(answer, from);
    }

    private void Send(byte[] answer, SocketAddress to)
    {
        try
        {
            _socket.SendTo(answer, SocketFlags.None, to);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            _log.Debug("udp tracker: cannot answer {0}: {1}", to, e.Message);
        }
    }

    private void Release()
    {
        try
        {
            if (Interlocked.Decrement(ref _inFlight) >= _settings.UdpMaxInFlight)
            {
                _slotFreed.Release();
            }
        }
        catch (ObjectDisposedException)
        {
            // stopping
        }
    }

    private void RequireConnection(long id, PeerAddress address, ushort port, DateTimeOffset now)
    {
        if (!_connectionIds.Accepts(id, address, port, now))
        {
            throw new TrackerRequestException("unknown or expired connection id: connect again");
        }
    }
}
