using System.Net;
using Swarm.Actors.Peers;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Torrent;

public enum TorrentState
{
    Checking,
    Downloading,
    Seeding,
    Paused,
    Error,

    /// <summary>A magnet link whose info dictionary is being fetched from peers (BEP 9): no pieces known yet.</summary>
    Metadata,
    Failed, // its actor kept throwing and was stopped by the catalog: nothing runs until it is removed or the node restarts
}

/// <param name="SeedOnly">`swarm seed`: the data must already be complete; a mismatch is an error, not a download.</param>
/// <param name="Recheck">Hash everything on disk again instead of trusting the journal.</param>
/// <param name="DownloadLimit">Bytes per second for this torrent, 0 = unlimited (the node's limit still applies).</param>
/// <param name="Replica">A copy the cluster made to keep the replication factor (not added by a person): the only
/// kind a member releases, with its data, when the cluster has more complete copies than wanted.</param>
public sealed record TorrentOptions(
    bool Sequential = false,
    bool SeedOnly = false,
    IReadOnlyList<IPEndPoint>? Peers = null,
    bool Recheck = false,
    long DownloadLimit = 0,
    long UploadLimit = 0,
    bool Replica = false);

public sealed record PeerStatus(string EndPoint, string Client, bool Incoming, double DownloadRate, double UploadRate, long Downloaded, long Uploaded, bool AmChoking, bool PeerChoking, bool Interested, int Pieces)
{
    /// <summary>What carries the connection (<c>tcp</c>, <c>utp</c>).</summary>
    public string Transport { get; init; } = "tcp";

    public bool Encrypted { get; init; }
}

public sealed record TorrentStatus(
    string InfoHash,
    string Name,
    TorrentState State,
    string? Error,
    string SavePath,
    long TotalLength,
    int PieceCount,
    int VerifiedPieces,
    long Downloaded,
    long Uploaded,
    double DownloadRate,
    double UploadRate,
    int HashFailures,
    IReadOnlyList<PeerStatus> Peers)
{
    public double Progress => PieceCount == 0 ? 0 : (double)VerifiedPieces / PieceCount;

    /// <summary>Set while the journal is failing: transfers go on, verified pieces wait to be journaled.</summary>
    public string? JournalError { get; init; }

    /// <summary>Verified pieces and events the journal has not confirmed yet (the journal's lag, in work).</summary>
    public int JournalPending { get; init; }

    /// <summary>Seconds the oldest unconfirmed journal write has waited (the journal's lag, in time).</summary>
    public double JournalWaitSeconds { get; init; }

    /// <summary>Why the last announce failed on every tracker (null once one answers).</summary>
    public string? TrackerError { get; init; }

    /// <summary>Verified pieces taken from the journal at start-up (null for a torrent hashed from scratch).</summary>
    public int? ResumedPieces { get; init; }

    /// <summary>BEP 27: peers only from its trackers (no metadata exchange, no cluster gossip as a peer source).</summary>
    public bool IsPrivate { get; init; }

    /// <summary>A copy the cluster made for resilient seeding (see <see cref="TorrentOptions.Replica"/>).</summary>
    public bool IsReplica { get; init; }

    /// <summary>BEP 52: the full 64-hex v2 info-hash of a v2 or hybrid torrent (null for v1); <see cref="InfoHash"/>
    /// is what the wire uses (a v2-only torrent's truncated v2 hash).</summary>
    public string? InfoHashV2 { get; init; }

    /// <summary>This torrent's own limits in bytes per second (0 = none).</summary>
    public long DownloadLimit { get; init; }

    public long UploadLimit { get; init; }

    /// <summary>Peers banned from this torrent (bad pieces, or blocks we never asked them for): issue 13.</summary>
    public int BannedPeers { get; init; }

    /// <summary>Issue 17: the torrent's web seeds (BEP 19) and their state, banned ones included.</summary>
    public IReadOnlyList<WebSeeds.WebSeedStatus> WebSeeds { get; init; } = [];
}

/// <param name="Verified">Bytes of verified pieces inside this file.</param>
public sealed record FileProgress(string Path, long Length, long Verified);

/// <param name="Status">"working", "failing" or "standby" (a later tier, not contacted while an earlier one answers).</param>
public sealed record TrackerProgress(string Url, string Status, string? Error, DateTime? NextAnnounce);

/// <summary>Everything `show` displays: the status plus files, trackers and which pieces we have.</summary>
public sealed record TorrentDetails(
    TorrentStatus Status,
    long PieceLength,
    byte[] Bitfield,
    IReadOnlyList<FileProgress> Files,
    IReadOnlyList<TrackerProgress> Trackers);

public static class TorrentMessages
{
    public sealed record GetStatus;

    public sealed record GetDetails;

    /// <summary>Sets this torrent's own limits (bytes per second, 0 = unlimited); answered with its status.</summary>
    public sealed record SetTorrentRateLimits(long DownloadLimit, long UploadLimit);

    /// <summary>Flush and journal every written piece now; answered with <see cref="JournalSynced"/> once the journal
    /// confirmed all of them (a clean exit then loses nothing).</summary>
    public sealed record SyncJournal;

    /// <summary>Reply to <see cref="SyncJournal"/>.</summary>
    public sealed record JournalSynced;

    public sealed record Pause(string? Reason = null);

    /// <summary>Full re-check: disconnect, hash every piece on disk, continue from what matches.</summary>
    public sealed record Recheck;

    public sealed record Resume;

    /// <param name="Source">Where they come from (logged).</param>
    public sealed record AddPeers(IReadOnlyList<IPEndPoint> Peers, string Source);

    /// <summary>An incoming connection whose handshake named this torrent (ownership of the socket passes on).</summary>
    public sealed record IncomingPeer(PeerLink Link, Handshake Handshake);

    /// <summary>Published on the event stream when a torrent (or a magnet fetching its metadata) starts its peer work:
    /// a one-shot node opens its peer port then (<see cref="PeerPortOpening.WhenATorrentIsReady"/>).</summary>
    public sealed record TorrentReadyForPeers(string InfoHash);

    /// <summary>Timer: every rechoke-interval, or optimistic-interval with the optimistic slot rotated.</summary>
    internal sealed record Rechoke(bool RotateOptimistic);

    /// <summary>Timer, every stats-interval: tell the tracker client our progress and dial candidates whose backoff ran out.</summary>
    internal sealed record ProgressAndDialTick
    {
        public static ProgressAndDialTick Instance { get; } = new();
    }

    /// <summary>Timer, every stats-interval while BEP 52 piece layers are missing: ask peers for the ranges still
    /// unanswered.</summary>
    internal sealed record LayerFetchTick
    {
        public static LayerFetchTick Instance { get; } = new();
    }

    /// <summary>Timer, every pex check-interval (issue 15): offer our connected peers to each connection.</summary>
    internal sealed record PexTick
    {
        public static PexTick Instance { get; } = new();
    }

    /// <summary>Timer, while pieces wait to be flushed or events to be confirmed: flush a batch, resend what is stale.</summary>
    /// <summary>Issue 14: the torrent's note to itself to tell its connections the pieces verified since the last one; it
    /// queues behind what is already in the mailbox, so the pieces written meanwhile go out together.</summary>
    internal sealed record TellWeHave
    {
        public static TellWeHave Instance { get; } = new();
    }

    internal sealed record JournalFlushTick
    {
        public static JournalFlushTick Instance { get; } = new();
    }
}
