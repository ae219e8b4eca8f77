using System.Net;

namespace Swarm.Actors.Configuration;

/// <summary>The `swarm.catalog` block: how long the catalog keeps restarting a torrent that throws.</summary>
public sealed record CatalogSettings(int MaxRestarts, TimeSpan RestartWindow)
{
    /// <summary>How long `swarm node` waits for its catalog to recover (and its peer port to open) before it gives up.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromMinutes(2);
}

public sealed record TrackerSettings(
    int NumWant,
    TimeSpan HttpTimeout,
    TimeSpan UdpRetransmitBase,
    int UdpMaxAttempts,
    TimeSpan MinInterval,
    TimeSpan StartupStagger,
    TimeSpan RetryInterval)
{
    /// <summary>How long the "stopped" announce of a torrent that leaves may take (it never holds up shutdown).</summary>
    public TimeSpan StoppedTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A tracker client that throws is started again after this, doubling up to <see cref="RestartMaxBackoff"/>.</summary>
    public TimeSpan RestartMinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan RestartMaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Up to this fraction is added to each backoff at random, so torrents that fail together don't restart together.</summary>
    public double RestartRandomFactor { get; init; } = 0.2;

    /// <summary>Where announces leave from: the peer listener's address when it is a specific one (see
    /// <see cref="PeerSettings.SourceAddress"/>), else null and the system picks.</summary>
    public IPAddress? SourceAddress { get; init; }

    // hardening: trackers

    /// <summary>Bytes of an HTTP tracker's answer read at most; a longer answer is a tracker error.</summary>
    public int MaxResponseSize { get; init; } = 1024 * 1024;

    /// <summary>HTTP redirects followed in a row for one announce (only to http and https).</summary>
    public int MaxRedirects { get; init; } = 5;

    /// <summary>Peers taken from one tracker answer; the rest is ignored.</summary>
    public int MaxPeersPerReply { get; init; } = 1000;

    /// <summary>Announces to trackers whose host resolves to a loopback, private or link-local address are refused.</summary>
    public bool RefusePrivateAddresses { get; init; }
}

public sealed record PersistenceSettings(
    bool Fsync,
    TimeSpan FlushInterval,
    int FlushMaxPieces,
    int SnapshotEvery,
    TimeSpan ResendAfter,
    TimeSpan RestartMinBackoff,
    TimeSpan RestartMaxBackoff)
{
    /// <summary>Up to this fraction is added to each journal restart backoff at random, so journals that failed
    /// together (one database for every torrent) don't all come back at the same instant.</summary>
    public double RestartRandomFactor { get; init; } = 0.2;

    // issue 14 (piece-count independence)

    /// <summary>Written bytes that start a flush before flush-interval: batches by bytes, not by pieces, so a torrent
    /// of small pieces fsyncs and journals no more often per byte than one of large pieces.</summary>
    public long FlushMaxBytes { get; init; } = 64 * 1024 * 1024;

    // issue 14 (recovery of many torrents)

    /// <summary>At start-up the catalog reads every torrent's journal history in one bulk read and hands it to the
    /// torrents, instead of each journal querying the store on its own.</summary>
    public bool BulkRecovery { get; init; } = true;
}

/// <param name="Secret">Shared secret every console request must carry; empty = none (only allowed on loopback).</param>
/// <param name="DefaultSavePath">Where `add` saves when no folder is given; empty = &lt;data-dir&gt;/downloads.</param>
public sealed record ConsoleSettings(
    bool Enabled,
    string Hostname,
    int Port,
    string Secret,
    TimeSpan CommandTimeout,
    TimeSpan ConnectTimeout,
    string DefaultSavePath,
    long MaximumFrameSize)
{
    /// <summary>The environment variable that overrides <see cref="Secret"/>, on the node and in `swarm console`.</summary>
    public const string SecretVariable = "SWARM_CONSOLE_SECRET";

    /// <summary>Name of the console's actor system; the endpoint lives at /user/console in it.</summary>
    public const string SystemName = "swarm-console";

    public string EffectiveSecret => Environment.GetEnvironmentVariable(SecretVariable) is { Length: > 0 } env ? env : Secret;
}

/// <summary>The `swarm.cluster` block: membership, gossip and resilient seeding (`swarm node` only).</summary>
public sealed record ClusterSettings(
    bool Enabled,
    string Name,
    string Hostname,
    int Port,
    IList<string> SeedNodes,
    int ReplicationFactor,
    TimeSpan ReplicationStableAfter,
    TimeSpan ReplicationRetryAfter,
    bool ReleaseSurplus,
    TimeSpan ReleaseSurplusAfter,
    TimeSpan PublishInterval,
    TimeSpan FetchTimeout,
    TimeSpan JoinWarningAfter,
    int ProtocolVersion,
    TimeSpan StaleEntryAfter,
    TimeSpan ReplicationEvaluateInterval);
