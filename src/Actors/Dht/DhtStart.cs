using System.Net.Sockets;

namespace Swarm.Actors.Dht;

/// <summary>What a node's DHT starts from, decided by the host: the bound UDP socket on the peer port, where the routing
/// table is kept between runs, and the bootstrap nodes (--dht-bootstrap, else swarm.dht.bootstrap-nodes).</summary>
/// <param name="TableFile">dht.dat in the state folder; null keeps nothing (tests that want a fresh node each time).</param>
/// <param name="Bootstrap">HOST:PORT entries, names resolved at start.</param>
public sealed record DhtStart(Socket Udp, string? TableFile, IReadOnlyList<string> Bootstrap)
{
    /// <summary>uTP (issue 16): false when the UDP socket is bound for uTP alone (DHT off, uTP on).</summary>
    public bool RunDht { get; init; } = true;
}
