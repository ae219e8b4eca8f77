using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Http;

/// <summary>What one /metrics scrape saw: the node's status, its torrents, the cluster (null when standalone) and the
/// journal check.</summary>
public sealed record MetricsSnapshot(
    NodeStatus Node,
    IReadOnlyList<(int Id, TorrentSummary Torrent, long AddedDate)> Torrents,
    ClusterInfo? Cluster,
    ClusterTorrent[]? ClusterTorrents,
    bool JournalUp,
    double JournalCheckSeconds);

/// <summary>The node's metrics in the Prometheus text format: the names of the transmission exporter (metalmatze's)
/// where they mean the same, swarm_* for the rest (cluster, replicas, journal, peers).</summary>
public static class NodeMetrics
{
    public static string Render(MetricsSnapshot s)
    {
        var p = new PrometheusText();
        var torrents = s.Torrents;
        p.Family("transmission_session_stats_torrents", "gauge", "Torrents on this node, by Transmission activity");
        p.Sample("transmission_session_stats_torrents", torrents.Count(t => t.Torrent.State is "downloading" or "seeding" or "checking" or "metadata"), ("type", "active"));
        p.Sample("transmission_session_stats_torrents", torrents.Count(t => t.Torrent.State is "paused" or "error" or "failed"), ("type", "paused"));
        p.Sample("transmission_session_stats_torrents", torrents.Count, ("type", "all"));
        p.Single("transmission_session_stats_download_speed_bytes", "gauge", "Download rate of the node in bytes per second", torrents.Sum(t => t.Torrent.DownloadRate));
        p.Single("transmission_session_stats_upload_speed_bytes", "gauge", "Upload rate of the node in bytes per second", torrents.Sum(t => t.Torrent.UploadRate));
        p.Family("transmission_session_stats_downloaded_bytes", "gauge", "Bytes downloaded by the torrents on this node since it started");
        p.Sample("transmission_session_stats_downloaded_bytes", torrents.Sum(t => t.Torrent.Downloaded), ("type", "current"));
        p.Family("transmission_session_stats_uploaded_bytes", "gauge", "Bytes uploaded by the torrents on this node since it started");
        p.Sample("transmission_session_stats_uploaded_bytes", torrents.Sum(t => t.Torrent.Uploaded), ("type", "current"));

        PerTorrent(p, torrents, "transmission_torrent_status", "Status of a torrent (Transmission's 0-6)", t => TransmissionFields.Status(t.State));
        PerTorrent(p, torrents, "transmission_torrent_added", "The unixtime a torrent was first seen by this node's HTTP surface", t => 0, added: true);
        PerTorrent(p, torrents, "transmission_torrent_finished", "Whether a torrent is complete (1) or not (0)", t => t.Pieces > 0 && t.VerifiedPieces >= t.Pieces ? 1 : 0);
        PerTorrent(p, torrents, "transmission_torrent_done", "The fraction of a torrent that is verified (0-1)", t => t.Progress);
        PerTorrent(p, torrents, "transmission_torrent_ratio", "The upload ratio of a torrent (-1 = not available)", t => TransmissionFields.Ratio(t, null));
        PerTorrent(p, torrents, "transmission_torrent_download_bytes", "The current download rate of a torrent in bytes per second", t => t.DownloadRate);
        PerTorrent(p, torrents, "transmission_torrent_upload_bytes", "The current upload rate of a torrent in bytes per second", t => t.UploadRate);
        PerTorrent(p, torrents, "swarm_torrent_peers", "Peers connected to a torrent", t => t.Peers);
        PerTorrent(p, torrents, "swarm_torrent_copies", "Complete copies of a torrent in the cluster (this node's own on a standalone node)", t => t.Replicas);

        p.Single("swarm_peers", "gauge", "Peers connected to this node, over all torrents", s.Node.Peers);
        p.Single("swarm_download_limit_bytes", "gauge", "The node's download limit in bytes per second (0 = none)", s.Node.DownloadLimit);
        p.Single("swarm_upload_limit_bytes", "gauge", "The node's upload limit in bytes per second (0 = none)", s.Node.UploadLimit);
        p.Single("swarm_uptime_seconds", "gauge", "Seconds since the node started", s.Node.UptimeSeconds);
        p.Single("swarm_journal_up", "gauge", "Whether the journal store answered this scrape's check (1) or not (0)", s.JournalUp ? 1 : 0);
        p.Single("swarm_journal_pending", "gauge", "Verified pieces and events not yet confirmed by the journal, over all torrents (what a crash now would redo)", torrents.Sum(t => t.Torrent.JournalPending));
        p.Single("swarm_journal_lag_seconds", "gauge", "Seconds the oldest unconfirmed journal write of any torrent has waited", torrents.Count == 0 ? 0 : torrents.Max(t => t.Torrent.JournalWaitSeconds));
        p.Single("swarm_journal_check_seconds", "gauge", "How long this scrape's journal check took (the journal's lag as a client sees it)", s.JournalCheckSeconds);

        p.Single("swarm_cluster_joined", "gauge", "Whether this node is an up member of a cluster (1) or not (0; standalone or joining)", s.Cluster?.Members.Any(m => m.Self && m.Status == "up") == true ? 1 : 0);
        if (s.Cluster is { } c)
        {
            p.Family("swarm_cluster_members", "gauge", "Cluster members by status and reachability, as this member sees them");
            foreach (var g in c.Members.GroupBy(m => (m.Status, m.Reachable)).OrderBy(g => g.Key.Status, StringComparer.Ordinal).ThenBy(g => g.Key.Reachable))
            {
                p.Sample("swarm_cluster_members", g.Count(), ("status", g.Key.Status), ("reachable", g.Key.Reachable ? "true" : "false"));
            }
        }

        if (s.ClusterTorrents is { } all)
        {
            p.Single("swarm_cluster_torrents", "gauge", "Torrents held anywhere in the cluster", all.Length);
            p.Single("swarm_cluster_under_replicated_torrents", "gauge", "Cluster torrents with fewer complete copies on usable members than their replication factor", all.Count(t => t.Complete < t.Factor));
        }

        return p.ToString();
    }

    private static void PerTorrent(PrometheusText p, IReadOnlyList<(int Id, TorrentSummary Torrent, long AddedDate)> torrents, string name, string help, Func<TorrentSummary, double> value, bool added = false)
    {
        p.Family(name, "gauge", help);
        foreach (var (id, t, addedDate) in torrents)
        {
            p.Sample(name, added ? addedDate : value(t), ("id", id.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("name", t.Name), ("hash", t.InfoHash));
        }
    }
}
