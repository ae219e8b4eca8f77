using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.TrackerServer;

/// <summary>The tracker's UDP front end (BEP 15). Connection ids are an HMAC of the requester's address and port and
/// of the current minute, so they need no table and cannot be replayed from another address; one is accepted for two
/// minutes. Short packets and unknown actions are dropped; bad content in a known action gets an error packet.</summary>
public sealed class UdpTrackerActor : ReceiveActor
{
    private const int MaxInFlight = 1024;
    private readonly Socket _socket;
    private readonly IActorRef _registry;
    private readonly TrackerServerSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly CancellationTokenSource _stop = new();

    public UdpTrackerActor(Socket socket, IActorRef registry, TrackerServerSettings settings)
    {
        _socket = socket;
        _registry = registry;
        _settings = settings;
        ReceiveAny(_ => { });
    }

    public static Props Props(Socket socket, IActorRef registry, TrackerServerSettings settings) =>
        Akka.Actor.Props.Create(() => new UdpTrackerActor(socket, registry, settings));

    protected override void PreStart() => _ = Task.Run(ReceiveLoop);

    protected override void PostStop()
    {
        _stop.Cancel();
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReceiveLoop()
    {
        var buffer = new byte[2048];
        using var inFlight = new SemaphoreSlim(MaxInFlight);
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
                return UdpTrackerServerCodec.ConnectResponse(c.TransactionId, ConnectionId(from, 0));
            case UdpAnnounceRequest a:
                RequireConnection(a.ConnectionId, from);
                var reply = await _registry.Ask(new Announce(a.Announce, from.Address), TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                return reply switch
                {
                    AnnounceAnswer ok => UdpTrackerServerCodec.AnnounceResponse(a.TransactionId, ok.Interval, ok.Incomplete, ok.Complete, ok.Peers.Select(p => p.EndPoint)),
                    AnnounceRefused refused => UdpTrackerServerCodec.Error(a.TransactionId, refused.Reason),
                    _ => null,
                };
            case UdpScrapeRequest s:
                RequireConnection(s.ConnectionId, from);
                var scraped = await _registry.Ask<ScrapeAnswer>(new Scrape(s.InfoHashes), TimeSpan.FromSeconds(5)).ConfigureAwait(false);
                return UdpTrackerServerCodec.ScrapeResponse(s.TransactionId, scraped.Entries);
            default:
                return null;
        }
    }

    private void RequireConnection(long id, IPEndPoint from)
    {
        if (id != ConnectionId(from, 0) && id != ConnectionId(from, -1))
        {
            throw new TrackerRequestException("unknown or expired connection id: connect again");
        }
    }

    private long ConnectionId(IPEndPoint from, int minuteOffset)
    {
        var minute = (DateTime.UtcNow.Ticks / TimeSpan.TicksPerMinute) + minuteOffset;
        return BitConverter.ToInt64(HMACSHA256.HashData(_key, System.Text.Encoding.ASCII.GetBytes($"{from.Address}|{from.Port}|{minute}")));
    }
}
