using Swarm.Actors.Catalog;

namespace Swarm.Actors.ConsoleEndpoint;

/// <summary>The console protocol: what `swarm console` sends to a node's <see cref="ConsoleEndpointActor"/> and the
/// typed replies it renders. These cross Akka remoting (Hyperion), so they hold plain data only: strings, numbers,
/// arrays; states are lower-case words so that `--json` output is stable.</summary>
public static class ConsoleMessages
{
    /// <summary>Every request carries the secret (empty when the node requires none).</summary>
    public sealed record ConsoleRequest(string Secret, IConsoleCommand Command);

    public interface IConsoleCommand;

    public interface IConsoleReply;

    public sealed record GetNodeStatus : IConsoleCommand;

    public sealed record ListNodeTorrents : IConsoleCommand;

    /// <param name="TorrentFile">The .torrent file's bytes: the console may run on another machine than the node.</param>
    /// <param name="SavePath">Absolute folder on the node; null = the node's default.</param>
    public sealed record AddTorrentFile(byte[] TorrentFile, string? SavePath) : IConsoleCommand;

    /// <summary>A magnet link or bare info-hash: the node says what it can do with it.</summary>
    public sealed record AddByLink(string Link, string? SavePath) : IConsoleCommand;

    public sealed record PauseTorrent(string Torrent) : IConsoleCommand;

    public sealed record ResumeTorrent(string Torrent) : IConsoleCommand;

    public sealed record RemoveNodeTorrent(string Torrent, bool DeleteData) : IConsoleCommand;

    public sealed record ShowTorrent(string Torrent) : IConsoleCommand;

    public sealed record ListPeers(string Torrent) : IConsoleCommand;

    public sealed record RecheckTorrent(string Torrent) : IConsoleCommand;

    /// <summary>Null <paramref name="Torrent"/> = the node's limits; a null rate is left unchanged (both null = show).</summary>
    public sealed record SetLimits(string? Torrent, long? DownloadLimit, long? UploadLimit) : IConsoleCommand;

    public sealed record SetLogLevel(string Level) : IConsoleCommand;

    public sealed record GetCluster : IConsoleCommand;

    /// <summary>Torrents of every member whose name or file names contain all the words.</summary>
    public sealed record Search(string[] Words) : IConsoleCommand;

    /// <summary>Every torrent held anywhere in the cluster, from the gossiped holdings.</summary>
    public sealed record ListClusterTorrents : IConsoleCommand;

    /// <summary>A torrent's copies across the cluster; with <paramref name="Factor"/>, sets its replication factor
    /// cluster-wide (0 = back to the cluster default).</summary>
    public sealed record Replicas(string Torrent, int? Factor) : IConsoleCommand;

    public sealed record Shutdown : IConsoleCommand;

    // replies

    /// <summary>The request was not accepted at all (missing or wrong secret).</summary>
    public sealed record Refused(string Reason) : IConsoleReply;

    /// <summary>The command was understood but could not be done: unknown torrent, ambiguous prefix, bad file.</summary>
    public sealed record CommandFailed(string Message) : IConsoleReply;

    /// <summary>A command that changed something; <paramref name="Torrent"/> is the torrent's state afterwards.</summary>
    public sealed record Done(string Message, TorrentSummary? Torrent) : IConsoleReply;

    public sealed record NodeStatus(
        string NodeId,
        string Version,
        double UptimeSeconds,
        string PeerEndPoint,
        string DataDir,
        string Journal,
        string ClusterRole,
        int Torrents,
        int Downloading,
        int Seeding,
        int Paused,
        int Errors,
        int Peers,
        double DownloadRate,
        double UploadRate,
        long DownloadLimit,
        long UploadLimit,
        string LogLevel) : IConsoleReply
    {
        /// <summary>DHT (issue 15): nodes in the routing table; null when the node runs without a DHT.</summary>
        public int? DhtNodes { get; init; }
    }

    /// <param name="Replicas">Complete copies known to this node (itself until the cluster shares availability).</param>
    public sealed record TorrentSummary(
        string InfoHash,
        string Name,
        long Size,
        double Progress,
        string State,
        string? Error,
        double DownloadRate,
        double UploadRate,
        long Downloaded,
        long Uploaded,
        int Peers,
        int Replicas,
        int Pieces,
        int VerifiedPieces,
        string SavePath,
        long DownloadLimit,
        long UploadLimit)
    {
        /// <summary>A copy the cluster made to keep the replication factor (released again when surplus).</summary>
        public bool Replica { get; init; }

        /// <summary>BEP 52: the full v2 info-hash (hex) of a v2 or hybrid torrent; null for v1.</summary>
        public string? InfoHashV2 { get; init; }

        // HTTP surface (issue 18): facts Transmission RPC clients read that the console does not show.

        /// <summary>BEP 27 private torrent.</summary>
        public bool Private { get; init; }

        /// <summary>Peers sending us data now (download rate above zero).</summary>
        public int PeersSending { get; init; }

        /// <summary>Peers we send data to now (upload rate above zero).</summary>
        public int PeersGetting { get; init; }

        /// <summary>The cluster's replication factor for it; 0 on a standalone node.</summary>
        public int Factor { get; init; }

        /// <summary>Verified pieces and events its journal has not confirmed yet.</summary>
        public int JournalPending { get; init; }

        /// <summary>Seconds its oldest unconfirmed journal write has waited.</summary>
        public double JournalWaitSeconds { get; init; }
    }

    public sealed record TorrentListing(TorrentSummary[] Torrents) : IConsoleReply;

    public sealed record PeerSummary(
        string EndPoint,
        string Client,
        bool Incoming,
        double DownloadRate,
        double UploadRate,
        long Downloaded,
        long Uploaded,
        bool AmChoking,
        bool PeerChoking,
        bool Interested,
        double Progress)
    {
        /// <summary>What carries the connection (<c>tcp</c>, <c>utp</c>).</summary>
        public string Transport { get; init; } = "tcp";

        /// <summary>Whether the connection is encrypted (MSE/PE).</summary>
        public bool Encrypted { get; init; }
    }

    public sealed record PeerListing(string InfoHash, string Name, PeerSummary[] Peers) : IConsoleReply
    {
        /// <summary>Issue 17: the torrent's web seeds (BEP 19) and their state.</summary>
        public WebSeedSummary[] WebSeeds { get; init; } = [];
    }

    /// <summary>Issue 17: one web seed. <paramref name="State"/> is "starting", "idle", "fetching", "backing off" or
    /// "banned"; <paramref name="RetryAt"/> is set while backing off.</summary>
    public sealed record WebSeedSummary(string Url, string State, long Downloaded, double DownloadRate, string? Error, DateTimeOffset? RetryAt);

    public sealed record FileSummary(string Path, long Length, double Progress);

    public sealed record TrackerSummary(string Url, string Status, string? Error, DateTime? NextAnnounce);

    /// <param name="Bitfield">The verified pieces, one bit each, first piece in the high bit (BEP 3's bitfield); the
    /// console draws its piece map from it.</param>
    public sealed record TorrentDetail(
        TorrentSummary Torrent,
        long PieceLength,
        int HashFailures,
        string? JournalError,
        string? TrackerError,
        byte[] Bitfield,
        FileSummary[] Files,
        TrackerSummary[] Trackers,
        PeerSummary[] Peers) : IConsoleReply;

    public sealed record Limits(string? InfoHash, string? Name, long DownloadLimit, long UploadLimit) : IConsoleReply;

    /// <param name="Copies">Complete copies in the cluster (on a standalone node: 1 if it seeds it).</param>
    public sealed record SearchHit(string InfoHash, string Name, long Size, int Copies, string[] Members);

    /// <param name="Unanswered">Members that did not answer in time.</param>
    public sealed record SearchListing(SearchHit[] Results, string[] Unanswered) : IConsoleReply;

    public sealed record ClusterMember(string Address, string Status, bool Reachable, bool Leader, bool Self, string? NodeId, string? PeerEndPoint, int Torrents, int Complete);

    public sealed record ClusterInfo(string Self, string? Leader, ClusterMember[] Members) : IConsoleReply;

    /// <param name="Complete">Complete copies on members that are up and reachable.</param>
    /// <param name="Members">Cluster addresses of the members holding it (complete or not).</param>
    public sealed record ClusterTorrent(string InfoHash, string Name, long Size, int Factor, int Complete, int Partial, string[] Members);

    public sealed record ClusterTorrentListing(ClusterTorrent[] Torrents) : IConsoleReply;

    public sealed record ReplicaHolder(string Address, string? NodeId, bool Complete, double Progress, bool Usable);

    public sealed record ReplicaInfo(string InfoHash, string Name, int Factor, bool DefaultFactor, int Complete, ReplicaHolder[] Holders) : IConsoleReply;

    // DHT (issue 15)

    /// <summary>The node's DHT: routing table per bucket, torrents announced, recent lookups.</summary>
    public sealed record GetDht : IConsoleCommand;

    /// <param name="Kind">get_peers (a torrent) or find_node (the node's own neighbourhood).</param>
    public sealed record DhtLookupSummary(string Target, string Kind, int Answered, int Peers, int AnnouncedTo, DateTime Ended, double Seconds);

    /// <param name="Enabled">False on a node run with --no-dht (then nothing else is set).</param>
    /// <param name="Buckets">Nodes per bucket, from the farthest (0) to the one around the node's own id.</param>
    public sealed record DhtInfo(bool Enabled, string? NodeId, string? EndPoint, int Nodes, int[] Buckets, int Tracked, int Announced, int StoredTorrents, DhtLookupSummary[] Recent) : IConsoleReply;
}
