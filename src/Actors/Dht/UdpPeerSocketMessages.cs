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

    /// <summary>uTP (issue 16): datagrams that are not KRPC go to <paramref name="Handler"/> from now on.</summary>
    public sealed record RegisterUtpHandler(IActorRef Handler);

    /// <summary>uTP (issue 16): a datagram for the registered uTP handler.</summary>
    public sealed record UtpDatagram(byte[] Bytes, IPEndPoint From);

    /// <summary>From the receive loop: one datagram as it came.</summary>
    internal sealed record DatagramReceived(byte[] Bytes, IPEndPoint From);

    internal sealed record ReceiveFailed(string Error);
}
