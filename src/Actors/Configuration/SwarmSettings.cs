using System.Net;
using Akka.Configuration;

namespace Swarm.Actors.Configuration;

/// <summary>The `swarm` HOCON block, read once at start-up into immutable settings.</summary>
public sealed record SwarmSettings(
    PeerSettings Peer,
    PipelineSettings Pipeline,
    PickerSettings Picker,
    ChokerSettings Choker,
    StorageSettings Storage,
    TrackerSettings Tracker,
    PersistenceSettings Persistence,
    LimitSettings Limits,
    ConsoleSettings Console,
    ClusterSettings Cluster,
    MagnetSettings Magnet,
    TrackerServerSettings TrackerServer,
    TimeSpan StatsInterval)
{
    public static SwarmSettings From(Config root)
    {
        var c = root.GetConfig("swarm") ?? throw new ConfigurationException("the 'swarm' configuration block is missing");
        var p = c.GetConfig("peer");
        var pl = c.GetConfig("pipeline");
        var pk = c.GetConfig("picker");
        var ch = c.GetConfig("choker");
        var st = c.GetConfig("storage");
        var tr = c.GetConfig("tracker");
        var ps = c.GetConfig("persistence");
        var lm = c.GetConfig("limits");
        var co = c.GetConfig("console");
        var cl = c.GetConfig("cluster");
        var mg = c.GetConfig("magnet");
        var ts = c.GetConfig("tracker-server");
        var settings = new SwarmSettings(
            new PeerSettings(
                p.GetString("bind-address"),
                p.GetInt("port"),
                p.GetInt("max-connections-per-torrent"),
                p.GetInt("max-connections-per-node"),
                p.GetInt("max-half-open"),
                p.GetTimeSpan("connect-timeout"),
                p.GetTimeSpan("handshake-timeout"),
                p.GetTimeSpan("idle-timeout"),
                p.GetInt("block-length"),
                p.GetInt("max-block-length"),
                p.GetInt("max-extended-length"),
                p.GetInt("inbound-batch-size"),
                p.GetInt("inbound-batches-in-flight"),
                p.GetInt("max-incoming-requests"),
                p.GetTimeSpan("retry-failed-after")),
            new PipelineSettings(
                pl.GetInt("initial-depth"),
                pl.GetInt("min-depth"),
                pl.GetInt("max-depth"),
                pl.GetDouble("seconds-of-data"),
                pl.GetTimeSpan("request-timeout")),
            new PickerSettings(pk.GetInt("random-first-pieces"), pk.GetInt("endgame-duplicates"))
            {
                SmallPieceGroupBytes = pk.GetByteSize("small-piece-group-bytes") ?? 256 * 1024, // issue 14
            },
            new ChokerSettings(
                ch.GetInt("regular-slots"),
                ch.GetInt("optimistic-slots"),
                ch.GetTimeSpan("rechoke-interval"),
                ch.GetTimeSpan("optimistic-interval")),
            new StorageSettings(st.GetInt("max-open-files"), st.GetInt("hash-failures-before-ban"), st.GetInt("check-parallelism"), st.GetByteSize("piece-buffer-bytes-retained") ?? 16 * 1024 * 1024, st.GetByteSize("max-pending-write-bytes") ?? 4 * 1024 * 1024)
            {
                // issue 14 (storage): drop-behind of flushed pieces
                FlushedKeptInCache = st.GetBoolean("drop-flushed-from-cache", true) ? st.GetByteSize("flushed-kept-in-cache") ?? 32 * 1024 * 1024 : -1,
            },
            new TrackerSettings(
                tr.GetInt("numwant"),
                tr.GetTimeSpan("http-timeout"),
                tr.GetTimeSpan("udp-retransmit-base"),
                tr.GetInt("udp-max-attempts"),
                tr.GetTimeSpan("min-interval"),
                tr.GetTimeSpan("startup-stagger"),
                tr.GetTimeSpan("retry-interval"))
            {
                StoppedTimeout = tr.GetTimeSpan("stopped-timeout"),
                RestartMinBackoff = tr.GetTimeSpan("restart-min-backoff"),
                RestartMaxBackoff = tr.GetTimeSpan("restart-max-backoff"),
                RestartRandomFactor = tr.GetDouble("restart-random-factor"),
            },
            new PersistenceSettings(
                ps.GetBoolean("fsync"),
                ps.GetTimeSpan("flush-interval"),
                ps.GetInt("flush-max-pieces"),
                ps.GetInt("snapshot-every"),
                ps.GetTimeSpan("resend-after"),
                ps.GetTimeSpan("restart-min-backoff"),
                ps.GetTimeSpan("restart-max-backoff"))
            {
                RestartRandomFactor = ps.GetDouble("restart-random-factor"),
                FlushMaxBytes = ps.GetByteSize("flush-max-bytes") ?? 64 * 1024 * 1024, // issue 14: piece-count independence
                BulkRecovery = ps.GetBoolean("bulk-recovery", true), // issue 14: recovery of many torrents
            },
            new LimitSettings(lm.GetByteSize("download-rate") ?? 0, lm.GetByteSize("upload-rate") ?? 0),
            new ConsoleSettings(
                co.GetBoolean("enabled"),
                co.GetString("hostname"),
                co.GetInt("port"),
                co.GetString("secret"),
                co.GetTimeSpan("command-timeout"),
                co.GetTimeSpan("connect-timeout"),
                co.GetString("default-save-path"),
                co.GetByteSize("maximum-frame-size") ?? 32 * 1024 * 1024),
            new ClusterSettings(
                cl.GetBoolean("enabled"),
                cl.GetString("name"),
                cl.GetString("hostname"),
                cl.GetInt("port"),
                cl.GetStringList("seed-nodes"),
                cl.GetInt("replication-factor"),
                cl.GetTimeSpan("replication-stable-after"),
                cl.GetTimeSpan("replication-retry-after"),
                cl.GetBoolean("release-surplus"),
                cl.GetTimeSpan("release-surplus-after"),
                cl.GetTimeSpan("publish-interval"),
                cl.GetTimeSpan("fetch-timeout"),
                cl.GetTimeSpan("join-warning-after"),
                cl.GetInt("protocol-version"),
                cl.GetTimeSpan("stale-entry-after"),
                cl.GetTimeSpan("replication-evaluate-interval")),
            new MagnetSettings(
                mg.GetTimeSpan("metadata-timeout"),
                mg.GetTimeSpan("peer-timeout"),
                (int)(mg.GetByteSize("max-metadata-size") ?? 16 * 1024 * 1024),
                mg.GetTimeSpan("retry-interval")),
            new TrackerServerSettings(
                ts.GetBoolean("in-node"),
                ts.GetString("bind-address"),
                ts.GetInt("http-port"),
                ts.GetInt("udp-port"),
                ts.GetTimeSpan("interval"),
                ts.GetTimeSpan("min-interval"),
                ts.GetTimeSpan("peer-expiry"),
                ts.GetInt("default-numwant"),
                ts.GetInt("max-numwant"),
                ts.GetInt("max-peers-per-torrent"),
                ts.GetInt("max-torrents"),
                ts.GetInt("max-peers"),
                ts.GetInt("max-scrape"),
                ts.GetTimeSpan("ask-timeout"),
                ts.GetInt("udp-max-in-flight")),
            c.GetTimeSpan("stats-interval"))
        {
            Catalog = new CatalogSettings(c.GetInt("catalog.max-restarts"), c.GetTimeSpan("catalog.restart-window")) { RecoveryTimeout = c.GetTimeSpan("catalog.recovery-timeout") },
            PeerHardening = PeerHardeningSettings.From(c.GetConfig("peer-hardening")),
        };

        // hardening: trackers
        settings = settings with
        {
            Tracker = settings.Tracker with
            {
                MaxResponseSize = (int)Math.Clamp(tr.GetByteSize("max-response-size") ?? 1024 * 1024, 1, int.MaxValue - 1),
                MaxRedirects = tr.GetInt("max-redirects"),
                MaxPeersPerReply = tr.GetInt("max-peers-per-reply"),
                RefusePrivateAddresses = tr.GetBoolean("refuse-private-addresses"),
            },
            TrackerServer = settings.TrackerServer with
            {
                MaxTorrentsPerAddress = ts.GetInt("max-torrents-per-address"),
                MaxPeersPerAddress = ts.GetInt("max-peers-per-address"),
                MaxPeersPerAddressInTorrent = ts.GetInt("max-peers-per-address-in-torrent"),
                ProbationInterval = ts.GetTimeSpan("probation-interval"),
                ProbationExpiry = ts.GetTimeSpan("probation-expiry"),
            },
        };
        if (settings.TrackerServer.MaxTorrentsPerAddress >= settings.TrackerServer.MaxTorrents || settings.TrackerServer.MaxPeersPerAddress >= settings.TrackerServer.MaxPeers)
        {
            // Else one address could fill the tracker and lock every other out.
            throw new ConfigurationException("swarm.tracker-server: max-torrents-per-address must be below max-torrents, and max-peers-per-address below max-peers");
        }

        // issue 14: tracker speed
        settings = settings with
        {
            TrackerServer = settings.TrackerServer with
            {
                SwarmsOnSendersThread = ts.GetBoolean("swarms-on-senders-thread"),
                HttpMaxConnections = Math.Max(1, ts.GetInt("http-max-connections")),
                HttpRequestTimeout = ts.GetTimeSpan("http-request-timeout"),
            },
        };

        // Hardening (issue 13): only requested data, candidate cap.
        settings = settings with { ReceivedBlocks = ReceivedBlockSettings.From(c.GetConfig("received-blocks")), Candidates = CandidateSettings.From(c.GetConfig("candidates")) };

        // hardening: files and disk, console secrets (issue 13)
        settings = settings with { Files = FilesSettings.From(c), ConsoleGuard = ConsoleGuardSettings.From(c) };

        // Peer exchange and local service discovery (issue 15).
        settings = settings with { Pex = PexSettings.From(c.GetConfig("pex")), Lsd = LsdSettings.From(c.GetConfig("lsd")) };

        // Mainline DHT (issue 15)
        settings = settings with { Dht = DhtSettings.From(c.GetConfig("dht")) };

        // uTP (issue 16)
        settings = settings with { Utp = UtpSettings.From(p, c.GetConfig("utp")) };

        // Web seeds (issue 17, BEP 19)
        settings = settings with { WebSeeds = Swarm.Actors.WebSeeds.WebSeedSettings.From(c.GetConfig("web-seeds")) };

        // Footprint (issue 14): memory given back by a quiet node.
        settings = settings with { MemoryTrim = MemoryTrimSettings.From(c.GetConfig("memory-trim")) };

        // Message stream encryption (issue 16).
        settings = settings with { Peer = settings.Peer with { Encryption = Peers.Encryption.EncryptionPolicies.Parse(p.GetString("encryption", "prefer")) } };

        // One --bind for every socket: a tracker records the address an announce comes from.
        return settings with
        {
            Peer = settings.Peer with { ListenBacklog = p.GetInt("listen-backlog") },
            Tracker = settings.Tracker with { SourceAddress = settings.Peer.SourceAddress },
        };
    }

    public required CatalogSettings Catalog { get; init; }

    /// <summary>hardening: peer memory and handshakes (the `swarm.peer-hardening` block).</summary>
    public required PeerHardeningSettings PeerHardening { get; init; }

    /// <summary>The `swarm.received-blocks` block (issue 13: only requested data).</summary>
    public ReceivedBlockSettings ReceivedBlocks { get; init; } = ReceivedBlockSettings.Default;

    /// <summary>The `swarm.candidates` block (issue 13: candidate peers capped).</summary>
    public CandidateSettings Candidates { get; init; } = CandidateSettings.Default;

    /// <summary>hardening: the `swarm.files` block (issue 13).</summary>
    public FilesSettings Files { get; init; } = FilesSettings.Default;

    /// <summary>hardening: the `swarm.console.wrong-secret` block (issue 13).</summary>
    public ConsoleGuardSettings ConsoleGuard { get; init; } = ConsoleGuardSettings.Default;

    /// <summary>The `swarm.pex` block (issue 15: peer exchange, BEP 11).</summary>
    public PexSettings Pex { get; init; } = PexSettings.Default;

    /// <summary>The `swarm.lsd` block (issue 15: local service discovery, BEP 14).</summary>
    public LsdSettings Lsd { get; init; } = LsdSettings.Default;

    /// <summary>The `swarm.dht` block (issue 15: Mainline DHT).</summary>
    public DhtSettings Dht { get; init; } = DhtSettings.Default;

    /// <summary>uTP (issue 16): `swarm.peer.utp` and the `swarm.utp` block.</summary>
    public UtpSettings Utp { get; init; } = UtpSettings.Default;

    /// <summary>The `swarm.web-seeds` block (issue 17: BEP 19 web seeds).</summary>
    public Swarm.Actors.WebSeeds.WebSeedSettings WebSeeds { get; init; } = Swarm.Actors.WebSeeds.WebSeedSettings.Default;

    /// <summary>Footprint (issue 14): <c>swarm.memory-trim</c>.</summary>
    public MemoryTrimSettings MemoryTrim { get; init; } = MemoryTrimSettings.Default;
}

/// <summary>The `swarm.catalog` block: how long the catalog keeps restarting a torrent that throws.</summary>
public sealed record CatalogSettings(int MaxRestarts, TimeSpan RestartWindow)
{
    /// <summary>How long `swarm node` waits for its catalog to recover (and its peer port to open) before it gives up.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromMinutes(2);
}

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

public sealed record PipelineSettings(int InitialDepth, int MinDepth, int MaxDepth, double SecondsOfData, TimeSpan RequestTimeout);

public sealed record PickerSettings(int RandomFirstPieces, int EndgameDuplicates)
{
    // issue 14 (piece-count independence)

    /// <summary>Pieces smaller than a block are hashed by one actor per group of about this many bytes of
    /// consecutive pieces, not one actor per piece (<see cref="Pieces.PieceGroups"/>).</summary>
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

/// <summary>Node-wide rates in bytes per second; 0 = unlimited.</summary>
public sealed record LimitSettings(long DownloadRate, long UploadRate);

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

/// <summary>Magnet links (BEP 9): fetching a torrent's metadata from peers.</summary>
public sealed record MagnetSettings(TimeSpan MetadataTimeout, TimeSpan PeerTimeout, int MaxMetadataSize, TimeSpan RetryInterval);
