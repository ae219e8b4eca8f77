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
                pl.GetTimeSpan("request-timeout"))
            {
                NearMaxDepth = pl.GetInt("near-max-depth", pl.GetInt("max-depth")), // issue 14 (footprint)
                NearRoundTrip = pl.GetTimeSpan("near-round-trip", TimeSpan.Zero),
            },
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
                Preallocate = st.GetBoolean("preallocate", false),
                WriteRunBytes = st.GetByteSize("write-run-bytes") ?? 0,
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
