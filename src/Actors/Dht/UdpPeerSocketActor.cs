using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using static Swarm.Actors.Dht.UdpPeerSocketMessages;

namespace Swarm.Actors.Dht;

/// <summary>Owns the node's UDP socket on the peer port and is the one place that tells its protocols apart: a datagram
/// starting with 'd' is a bencoded KRPC message (the DHT, BEP 5) and goes to the registered handler; anything else is
/// uTP (BEP 29, issue 16) and goes to the uTP handler when one is registered (counted as reserved, and dropped when
/// none is). Sends for every protocol go out through here too, so they leave from the port peers know.</summary>
public sealed class UdpPeerSocketActor : HandlerActor
{
    /// <summary>Larger than any KRPC packet (<see cref="Protocol.Dht.Krpc.MaxPacket"/>) and any uTP packet; a longer
    /// datagram is cut here and then refused by the codec.</summary>
    private const int ReceiveBuffer = 2048;

    private readonly Socket _socket;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cts = new();
    private IActorRef _krpc = ActorRefs.Nobody;
    private IActorRef _utp = ActorRefs.Nobody;
    private long _krpcCount;
    private long _reserved;
    private long _sendFailures;
    private int _receiveBatch = 1;
    private TimeProvider? _stampClock;

    public UdpPeerSocketActor(Socket socket)
    {
        _socket = socket;
        Receive<RegisterKrpcHandler>(r => _krpc = r.Handler);
        Receive<RegisterUtpHandler>(OnRegisterUtp);
        Receive<DatagramsReceived>(OnDatagrams);
        Receive<SendDatagram>(OnSend);
        Receive<SendDatagrams>(b =>
        {
            foreach (var d in b.Datagrams)
            {
                OnSend(d);
            }
        });
        Receive<GetUdpCounters>(_ => Sender.Tell(new UdpCounters(_krpcCount, _reserved, _sendFailures)));
        Receive<ReceiveFailed>(f => _log.Warning("UDP peer port stopped receiving: {0}", f.Error));
    }

    /// <param name="socket">Bound to the peer port at the peer bind address; this actor owns and closes it.</param>
    public static Props Props(Socket socket) => Akka.Actor.Props.Create(() => new UdpPeerSocketActor(socket));

    protected override void PreStart()
    {
        var self = Self;
        _ = Task.Run(() => ReceiveLoop(self));
    }

    protected override void PostStop()
    {
        _cts.Cancel();
        _socket.Dispose();
        _cts.Dispose();
    }

    private void OnRegisterUtp(RegisterUtpHandler r)
    {
        _utp = r.Handler;
        Volatile.Write(ref _receiveBatch, Math.Max(1, r.ReceiveBatch));
        Volatile.Write(ref _stampClock, r.Clock);
        try
        {
            // Linux caps these at net.core.rmem_max / wmem_max (and doubles what it grants): a best effort.
            if (r.SocketReceiveBuffer > 0)
            {
                _socket.ReceiveBufferSize = r.SocketReceiveBuffer;
            }

            if (r.SocketSendBuffer > 0)
            {
                _socket.SendBufferSize = r.SocketSendBuffer;
            }
        }
        catch (SocketException e)
        {
            _log.Warning("UDP peer port keeps its socket buffer sizes: {0}", e.Message);
        }
    }

    private void OnDatagrams(DatagramsReceived batch)
    {
        List<UtpDatagram>? utp = null;
        foreach (var d in batch.Datagrams)
        {
            if (d.Bytes.Length > 0 && d.Bytes[0] == (byte)'d')
            {
                _krpcCount++;
                _krpc.Tell(new KrpcDatagram(d.Bytes, d.From));
            }
            else
            {
                _reserved++;
                (utp ??= []).Add(new UtpDatagram(d.Bytes, d.From));
            }
        }

        if (utp is not null && !_utp.IsNobody())
        {
            _utp.Tell(new UtpDatagrams(utp, batch.ReceivedAt));
        }
    }

    private void OnSend(SendDatagram s)
    {
        try
        {
            _socket.SendTo(s.Bytes, s.To);
        }
        catch (SocketException)
        {
            // An unreachable node, or an address of the other family: the query times out like an unanswered one.
            _sendFailures++;
        }
    }

    private async Task ReceiveLoop(IActorRef self)
    {
        var buffer = new byte[ReceiveBuffer];
        var any = _socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        while (!_cts.IsCancellationRequested)
        {
            try
            {
                var r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _cts.Token).ConfigureAwait(false);
                var batch = new List<DatagramReceived> { new(buffer.AsSpan(0, r.ReceivedBytes).ToArray(), (IPEndPoint)r.RemoteEndPoint) };
                var stamp = Volatile.Read(ref _stampClock)?.GetTimestamp();
                DrainWaiting(buffer, any, batch, Volatile.Read(ref _receiveBatch));
                self.Tell(new DatagramsReceived(batch, stamp));
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                // An ICMP "port unreachable" for something we sent, or an oversized datagram: not the socket's fault.
            }
            catch (SocketException e)
            {
                self.Tell(new ReceiveFailed(e.Message));
                return;
            }
        }
    }

    /// <summary>Reads, without waiting, the datagrams already queued in the socket, up to <paramref name="max"/> in all:
    /// a burst becomes one message. An error here ends the batch; the next asynchronous receive meets it again.</summary>
    private void DrainWaiting(byte[] buffer, IPEndPoint any, List<DatagramReceived> batch, int max)
    {
        try
        {
            while (batch.Count < max && _socket.Available > 0)
            {
                EndPoint from = any;
                var n = _socket.ReceiveFrom(buffer, SocketFlags.None, ref from);
                batch.Add(new DatagramReceived(buffer.AsSpan(0, n).ToArray(), (IPEndPoint)from));
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
