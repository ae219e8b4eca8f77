using System.Net;
using Akka.Actor;

namespace Swarm.Actors.Dht;

/// <summary>Messages of the node's UDP socket on the peer port (<see cref="UdpPeerSocketActor"/>).</summary>
public static class UdpPeerSocketMessages
{
    /// <summary>KRPC datagrams (the DHT) go to <paramref name="Handler"/> from now on.</summary>
    public sealed record RegisterKrpcHandler(IActorRef Handler);

    /// <summary>Send one datagram; a failure is counted, never thrown (UDP gives no promise either way).</summary>
    public sealed record SendDatagram(byte[] Bytes, IPEndPoint To);

    /// <summary>A KRPC datagram for the registered handler.</summary>
    public sealed record KrpcDatagram(byte[] Bytes, IPEndPoint From);

    /// <summary>Answered with <see cref="UdpCounters"/>.</summary>
    public sealed record GetUdpCounters;

    /// <param name="Krpc">Datagrams handed to the DHT.</param>
    /// <param name="Reserved">Datagrams of another protocol (uTP, issue 16), dropped for now.</param>
    /// <param name="SendFailures">Datagrams the socket refused to send.</param>
    public sealed record UdpCounters(long Krpc, long Reserved, long SendFailures);

    /// <summary>uTP (issue 16): datagrams that are not KRPC go to <paramref name="Handler"/> from now on, as
    /// <see cref="UtpDatagrams"/>.</summary>
    public sealed record RegisterUtpHandler(IActorRef Handler)
    {
        /// <summary>uTP speed: the socket's kernel receive buffer (SO_RCVBUF) in bytes, so a burst that arrives while the
        /// node is busy waits in the kernel instead of being dropped as loss; 0 keeps the system default.</summary>
        public int SocketReceiveBuffer { get; init; }

        /// <summary>uTP speed: the socket's kernel send buffer (SO_SNDBUF) in bytes; 0 keeps the system default.</summary>
        public int SocketSendBuffer { get; init; }

        /// <summary>uTP speed: datagrams already waiting in the socket are read in one wakeup up to this many and handed
        /// over as one message (one actor message per burst instead of one per packet).</summary>
        public int ReceiveBatch { get; init; } = 1;

        /// <summary>uTP speed: the clock uTP times packets with (the node's); when given, each batch is stamped with it
        /// as it leaves the socket, so the one-way delay LEDBAT measures leaves out the time spent in our mailboxes.</summary>
        public TimeProvider? Clock { get; init; }
    }

    /// <summary>uTP (issue 16): a datagram for the registered uTP handler.</summary>
    public sealed record UtpDatagram(byte[] Bytes, IPEndPoint From);

    /// <summary>uTP speed: datagrams for the registered uTP handler that arrived together, in arrival order.</summary>
    /// <param name="ReceivedAt">When they were read, as a timestamp of the clock given at registration (<see
    /// cref="TimeProvider.GetTimestamp"/>); null when none was given.</param>
    public sealed record UtpDatagrams(IReadOnlyList<UtpDatagram> Datagrams, long? ReceivedAt = null);

    /// <summary>uTP speed: several datagrams to send, in order, in one message (each failure counted like
    /// <see cref="SendDatagram"/>'s).</summary>
    public sealed record SendDatagrams(IReadOnlyList<SendDatagram> Datagrams);

    /// <summary>From the receive loop: the datagrams read in one wakeup, as they came.</summary>
    internal sealed record DatagramsReceived(IReadOnlyList<DatagramReceived> Datagrams, long? ReceivedAt);

    /// <summary>One datagram as it came.</summary>
    internal sealed record DatagramReceived(byte[] Bytes, IPEndPoint From);

    internal sealed record ReceiveFailed(string Error);
}
