using Swarm.Actors.Configuration;
using Swarm.Actors.Peers;
using Swarm.Actors.Storage;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors;

/// <summary>Node-wide facts and shared, thread-safe resources handed down the hierarchy at start-up.</summary>
/// <param name="NodeId">Stable identity of this node; prefixes its journal ids so that nodes can share one database.</param>
/// <param name="Limits">Node-wide rate limits, shared by every connection; changed at run time by the console.</param>
/// <param name="ListenPort">The TCP port peers reach us on (announced to trackers and in the BEP 10 handshake).</param>
/// <param name="Clock">Every actor reads time here, never from <see cref="DateTime.UtcNow"/>: tests move it by hand.</param>
public sealed record NodeContext(
    string NodeId,
    SwarmSettings Settings,
    byte[] PeerId,
    int ListenPort,
    ConnectionLimiter Connections,
    FileHandlePool Files,
    PieceBufferPool Buffers,
    TransferLimits Limits,
    TimeProvider Clock)
{
    /// <summary>A node's context with a fresh peer id and its shared resources sized from <paramref name="settings"/>.</summary>
    public static NodeContext Create(string nodeId, SwarmSettings settings, int listenPort, TimeProvider? clock = null)
    {
        var time = clock ?? TimeProvider.System;
        return new(
            nodeId,
            settings,
            Handshake.NewPeerId(),
            listenPort,
            new ConnectionLimiter(settings.Peer.MaxConnectionsPerNode, settings.Peer.MaxHalfOpen),
            new FileHandlePool(settings.Storage.MaxOpenFiles),
            new PieceBufferPool(settings.Storage.PieceBufferBytesRetained),
            new TransferLimits(settings.Limits.DownloadRate, settings.Limits.UploadRate, time),
            time)
        {
            Dialer = new PeerDialer(settings.Peer.SourceAddress) { Encryption = new(settings.Peer.Encryption) },
            SendBudget = new SendBudget(settings.PeerHardening.SendBudget, settings.PeerHardening.MaxSendQueue, settings.PeerHardening.SendQueueGuaranteed),
        };
    }

    /// <summary>hardening: peer memory. Bytes queued to peers over the whole node (<c>swarm.peer-hardening</c>).</summary>
    public required SendBudget SendBudget { get; init; }

    /// <summary>How this node opens connections to peers (transport and encryption policy).</summary>
    public required PeerDialer Dialer { get; init; }
}
