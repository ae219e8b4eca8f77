using Swarm.Actors.Clustering;
using Swarm.Actors.Torrent;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Actors.ConsoleEndpoint;

/// <summary>The node's own records turned into the console protocol's plain data (what crosses remoting). Data, not
/// presentation: how it reads on a terminal is the console client's business.</summary>
public static class ConsoleSummaries
{
    public static TorrentSummary Summarize(TorrentStatus s) => new(
        s.InfoHash,
        s.Name,
        s.TotalLength,
        s.Progress,
        StateName(s.State),
        s.Error,
        s.DownloadRate,
        s.UploadRate,
        s.Downloaded,
        s.Uploaded,
        s.Peers.Count,
        s.State == TorrentState.Seeding ? 1 : 0,
        s.PieceCount,
        s.VerifiedPieces,
        s.SavePath,
        s.DownloadLimit,
        s.UploadLimit)
    {
        Replica = s.IsReplica,
        InfoHashV2 = s.InfoHashV2,
        Private = s.IsPrivate,
        PeersSending = s.Peers.Count(p => p.DownloadRate > 0),
        PeersGetting = s.Peers.Count(p => p.UploadRate > 0),
        JournalPending = s.JournalPending,
        JournalWaitSeconds = s.JournalWaitSeconds,
    };

    /// <summary>States cross as lower-case words, so that `--json` output is stable.</summary>
    public static string StateName(TorrentState state) => state.ToString().ToLowerInvariant();

    public static PeerSummary[] Peers(TorrentStatus s) =>
    [
        .. s.Peers.Select(p => new PeerSummary(
            p.EndPoint,
            p.Client,
            p.Incoming,
            p.DownloadRate,
            p.UploadRate,
            p.Downloaded,
            p.Uploaded,
            p.AmChoking,
            p.PeerChoking,
            p.Interested,
            s.PieceCount == 0 ? 0 : (double)p.Pieces / s.PieceCount)
        {
            Transport = p.Transport,
            Encrypted = p.Encrypted,
        }),
    ];

    public static TorrentDetail Detail(TorrentDetails d) => new(
        Summarize(d.Status),
        d.PieceLength,
        d.Status.HashFailures,
        d.Status.JournalError,
        d.Status.TrackerError,
        d.Bitfield,
        [.. d.Files.Select(f => new FileSummary(f.Path, f.Length, f.Length == 0 ? 1 : (double)f.Verified / f.Length))],
        [.. d.Trackers.Select(t => new TrackerSummary(t.Url, t.Status, t.Error, t.NextAnnounce))],
        Peers(d.Status));

    /// <summary>This node's own copy from its live status (the gossip lags it by up to a publish interval), the other
    /// members' complete copies from the gossip.</summary>
    public static int CompleteCopies(ClusterMessages.ClusterStateReply? cluster, TorrentStatus t)
    {
        var own = t.State == TorrentState.Seeding ? 1 : 0;
        if (cluster is null)
        {
            return own;
        }

        var usable = cluster.UsableAddresses();
        return own + cluster.Holdings.Count(h => h.Address != cluster.Self && usable.Contains(h.Address) && h.Find(t.InfoHash) is { Complete: true });
    }
}
