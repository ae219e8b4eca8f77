using System.Net;

namespace Swarm.Actors.Configuration;

public sealed record PeerSettings(
    string BindAddress,
    int Port,
    int MaxConnectionsPerTorrent,
    int MaxConnectionsPerNode,
    int MaxHalfOpen,
    TimeSpan ConnectTimeout,
    TimeSpan HandshakeTimeout,
    TimeSpan IdleTimeout,
    int BlockLength,
    int MaxBlockLength,
    int MaxExtendedLength,
    int InboundBatchSize,
    int InboundBatchesInFlight,
    int MaxIncomingRequests,
    TimeSpan RetryFailedAfter)
{
    /// <summary>The address outgoing sockets bind before connecting (peer dials, tracker announces), so that what a
    /// peer or tracker records is where we listen; null when the listener takes any address (0.0.0.0, ::).</summary>
    public IPAddress? SourceAddress =>
        IPAddress.TryParse(BindAddress, out var ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any) ? ip : null;

    /// <summary>Connections the kernel completes and queues before the listener accepts them.</summary>
    public int ListenBacklog { get; init; } = 128;

    /// <summary>Message stream encryption on peer connections (`swarm.peer.encryption`, issue 16).</summary>
    public Peers.Encryption.EncryptionPolicy Encryption { get; init; } = Peers.Encryption.EncryptionPolicy.Prefer;
}

public sealed record PipelineSettings(int InitialDepth, int MinDepth, int MaxDepth, double SecondsOfData, TimeSpan RequestTimeout)
{
    /// <summary>Footprint (issue 14): a peer whose TCP round trip is below <see cref="NearRoundTrip"/> gets at most this
    /// many requests in flight (<see cref="Peers.RequestPipeline.Adapt"/>).</summary>
    public int NearMaxDepth { get; init; } = MaxDepth;

    public TimeSpan NearRoundTrip { get; init; } = TimeSpan.Zero;
}

public sealed record PickerSettings(int RandomFirstPieces, int EndgameDuplicates)
{
    // issue 14 (piece-count independence)

    /// <summary>Pieces smaller than a block (and a v1 torrent's pieces of one block) are hashed by one actor per group
    /// of about this many bytes of consecutive pieces, not one actor per piece (<see cref="Pieces.PieceGroups"/>).</summary>
    public long SmallPieceGroupBytes { get; init; } = 256 * 1024;
}

public sealed record ChokerSettings(int RegularSlots, int OptimisticSlots, TimeSpan RechokeInterval, TimeSpan OptimisticInterval);

/// <param name="PieceBufferBytesRetained">Footprint (issue 14): bytes of idle piece buffers the node keeps for reuse
/// (<see cref="Storage.PieceBufferPool"/>), over all piece sizes.</param>
public sealed record StorageSettings(int MaxOpenFiles, int HashFailuresBeforeBan, int CheckParallelism, long PieceBufferBytesRetained, long MaxPendingWriteBytes)
{
    /// <summary>issue 14 (storage): flushed bytes a torrent leaves in the page cache, the older ones dropped
    /// (<see cref="Storage.CacheWindow"/>); negative: drop-behind off, the kernel keeps what it likes.</summary>
    public long FlushedKeptInCache { get; init; } = 32 * 1024 * 1024;

    /// <summary>issue 14 (storage): a new data file gets its blocks reserved at creation (fallocate,
    /// <see cref="Storage.FileAllocation"/>) instead of being created sparse.</summary>
    public bool Preallocate { get; init; }

    /// <summary>issue 14 (storage): writes of consecutive pieces waiting together in a storage actor's mailbox go to
    /// disk in one call of up to this many bytes (<see cref="Storage.PendingWrites"/>); 0: one call each.</summary>
    public long WriteRunBytes { get; init; }
}

/// <summary>Node-wide rates in bytes per second; 0 = unlimited.</summary>
public sealed record LimitSettings(long DownloadRate, long UploadRate);

/// <summary>Magnet links (BEP 9): fetching a torrent's metadata from peers.</summary>
public sealed record MagnetSettings(TimeSpan MetadataTimeout, TimeSpan PeerTimeout, int MaxMetadataSize, TimeSpan RetryInterval);
