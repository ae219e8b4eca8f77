using Swarm.Actors.Configuration;
using Swarm.Actors.Peers;
using Swarm.Actors.Storage;

namespace Swarm.Actors;

/// <summary>Node-wide facts and shared, thread-safe resources handed down the hierarchy at start-up.</summary>
/// <param name="NodeId">Stable identity of this node; prefixes its journal ids so that nodes can share one database.</param>
/// <param name="ListenPort">The TCP port peers reach us on (announced to trackers and in the BEP 10 handshake).</param>
public sealed record NodeContext(
    string NodeId,
    SwarmSettings Settings,
    byte[] PeerId,
    int ListenPort,
    ConnectionLimiter Connections,
    FileHandlePool Files,
    PieceBufferPool Buffers);
