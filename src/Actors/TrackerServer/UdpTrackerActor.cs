using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.TrackerServer;

/// <summary>The tracker's UDP front end (BEP 15): a receive thread on its socket answers connects itself and hands each
/// announce to the registry with a <see cref="UdpAnswer"/> as its sender, so the swarm's answer leaves from the
/// swarm's own thread; scrapes ask. Connection ids come from <see cref="UdpConnectionIds"/>. Short packets and unknown
/// actions are dropped; bad content in a known action gets an error packet. At most <c>udp-max-in-flight</c> requests
/// wait for an answer: past it the receive thread waits (and the kernel drops what its buffer cannot hold).</summary>
public sealed class UdpTrackerActor : ReceiveActor, IWithTimers
{
    private readonly Socket _socket;
    private readonly IActorRef _registry;
    private readonly TrackerServerSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly UdpConnectionIds _connectionIds = UdpConnectionIds.WithRandomKey();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _inFlight;
    private readonly ConcurrentQueue<UdpAnswer> _waiting = new();
    private readonly IActorRefProvider _provider;
    private readonly ActorPath _answers;
    private readonly Action _release;

    public UdpTrackerActor(Socket socket, IActorRef registry, TrackerServerSettings settings, TimeProvider clock)
    {
        _socket = socket;
        _registry = registry;
        _settings = settings;
        _clock = clock;
        _inFlight = new SemaphoreSlim(settings.UdpMaxInFlight);
        _provider = ((ExtendedActorSystem)Context.System).Provider;
        _answers = Self.Path / "answer";
        _release = Release;
        Receive<ExpireUdpAnswers>(_ => ExpireAnswers());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="clock">The minute connection ids are tied to; the system clock by default.</param>
    public static Props Props(Socket socket, IActorRef registry, TrackerServerSettings settings, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new UdpTrackerActor(socket, registry, settings, clock ?? TimeProvider.System));

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
        var deadline = _clock.GetUtcNow() - _settings.AskTimeout;
        while (_waiting.TryPeek(out var answer) && (answer.IsDone || answer.Sent < deadline))
        {
            _waiting.TryDequeue(out _);
            answer.Expire();
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[UdpTrackerServerCodec.MaxRequestLength];
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            int length;
            var from = any;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, ref from);
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
                Handle(buffer.AsSpan(0, length), (IPEndPoint)from);
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

    private void Handle(ReadOnlySpan<byte> packet, IPEndPoint from)
    {
        byte[]? answer;
        try
        {
            answer = Answer(packet, from);
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
    private byte[]? Answer(ReadOnlySpan<byte> packet, IPEndPoint from)
    {
        switch (UdpTrackerServerCodec.Parse(packet, _settings.MaxNumWant))
        {
            case UdpConnectRequest c:
                return UdpTrackerServerCodec.ConnectResponse(c.TransactionId, _connectionIds.Issue(from, _clock.GetUtcNow()));
            case UdpAnnounceRequest a:
                RequireConnection(a.ConnectionId, from);
                _inFlight.Wait(_stop.Token);
                var answer = new UdpAnswer(_socket, a.TransactionId, from, _clock.GetUtcNow(), _release, _answers, _provider);
                _waiting.Enqueue(answer);
                _registry.Tell(new Announce(a.Announce, from.Address), answer);
                return null;
            case UdpScrapeRequest s:
                RequireConnection(s.ConnectionId, from);
                _ = Scrape(s, from);
                return null;
            default:
                return null;
        }
    }

    private async Task Scrape(UdpScrapeRequest s, IPEndPoint from)
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

    private void Send(byte[] answer, IPEndPoint to)
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
            _inFlight.Release();
        }
        catch (ObjectDisposedException)
        {
            // stopping
        }
    }

    private void RequireConnection(long id, IPEndPoint from)
    {
        if (!_connectionIds.Accepts(id, from, _clock.GetUtcNow()))
        {
            throw new TrackerRequestException("unknown or expired connection id: connect again");
        }
    }
}
