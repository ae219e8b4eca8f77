using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.TrackerServer;

/// <summary>The tracker's UDP front end (BEP 15): a receive loop on its socket that asks the registry for each request,
/// with connection ids from <see cref="UdpConnectionIds"/>. Short packets and unknown actions are dropped; bad content
/// in a known action gets an error packet.</summary>
public sealed class UdpTrackerActor : ReceiveActor
{
    private readonly Socket _socket;
    private readonly IActorRef _registry;
    private readonly TrackerServerSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly UdpConnectionIds _connectionIds = UdpConnectionIds.WithRandomKey();
    private readonly CancellationTokenSource _stop = new();

    public UdpTrackerActor(Socket socket, IActorRef registry, TrackerServerSettings settings, TimeProvider clock)
    {
        _socket = socket;
        _registry = registry;
        _settings = settings;
        _clock = clock;
        ReceiveAny(_ => { });
    }

    /// <param name="clock">The minute connection ids are tied to; the system clock by default.</param>
    public static Props Props(Socket socket, IActorRef registry, TrackerServerSettings settings, TimeProvider? clock = null) =>
        Akka.Actor.Props.Create(() => new UdpTrackerActor(socket, registry, settings, clock ?? TimeProvider.System));

    protected override void PreStart() => _ = Task.Run(ReceiveLoop);

    protected override void PostStop()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[UdpTrackerServerCodec.MaxRequestLength];
        using var inFlight = new SemaphoreSlim(_settings.UdpMaxInFlight);
        EndPoint any = new IPEndPoint(_socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue; // an ICMP echo of an earlier answer, or an oversized datagram: not ours to fail on
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            var packet = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            var from = (IPEndPoint)received.RemoteEndPoint;
            // Bounded concurrency: a flood waits here (and the kernel drops what does not fit its buffer).
            await inFlight.WaitAsync(_stop.Token).ConfigureAwait(false);
            _ = Handle(packet, from).ContinueWith(_ => inFlight.Release(), TaskScheduler.Default);
        }
    }

    private async Task Handle(byte[] packet, IPEndPoint from)
    {
        byte[]? answer;
        try
        {
            answer = await Answer(packet, from).ConfigureAwait(false);
        }
        catch (TrackerRequestException e)
        {
            answer = UdpTrackerServerCodec.TransactionId(packet) is { } tx ? UdpTrackerServerCodec.Error(tx, e.Message) : null;
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            answer = UdpTrackerServerCodec.TransactionId(packet) is { } tx ? UdpTrackerServerCodec.Error(tx, "tracker busy, try again") : null;
        }

        if (answer is not null)
        {
            try
            {
                await _socket.SendToAsync(answer, SocketFlags.None, from, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                _log.Debug("udp tracker: cannot answer {0}: {1}", from, e.Message);
            }
        }
    }

    private async Task<byte[]?> Answer(byte[] packet, IPEndPoint from)
    {
        switch (UdpTrackerServerCodec.Parse(packet, _settings.MaxNumWant))
        {
            case UdpConnectRequest c:
                return UdpTrackerServerCodec.ConnectResponse(c.TransactionId, _connectionIds.Issue(from, _clock.GetUtcNow()));
            case UdpAnnounceRequest a:
                RequireConnection(a.ConnectionId, from);
                var reply = await _registry.Ask(new Announce(a.Announce, from.Address), _settings.AskTimeout).ConfigureAwait(false);
                return reply switch
                {
                    AnnounceAnswer ok => UdpTrackerServerCodec.AnnounceResponse(a.TransactionId, ok.Interval, ok.Incomplete, ok.Complete, ok.Peers.V4),
                    AnnounceRefused refused => UdpTrackerServerCodec.Error(a.TransactionId, refused.Reason),
                    _ => null,
                };
            case UdpScrapeRequest s:
                RequireConnection(s.ConnectionId, from);
                var scraped = await _registry.Ask<ScrapeAnswer>(new Scrape(s.InfoHashes), _settings.AskTimeout).ConfigureAwait(false);
                return UdpTrackerServerCodec.ScrapeResponse(s.TransactionId, scraped.Entries);
            default:
                return null;
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
