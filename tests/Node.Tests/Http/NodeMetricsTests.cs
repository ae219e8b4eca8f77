using Swarm.Node.Http;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.Http;

/// <summary>The Prometheus text: every family once with HELP and TYPE, labels escaped, cluster facts counted.</summary>
public sealed class NodeMetricsTests
{
    [Fact]
    public void Label_values_are_escaped()
    {
        var text = new PrometheusText().Family("m", "gauge", "help").Sample("m", 1.5, ("name", "a \"b\"\\c\nd")).ToString();
        Assert.Equal("# HELP m help\n# TYPE m gauge\nm{name=\"a \\\"b\\\"\\\\c\\nd\"} 1.5\n", text);
        Assert.Throws<InvalidOperationException>(() => new PrometheusText().Family("m", "gauge", "h").Family("m", "gauge", "h"));
    }

    [Fact]
    public void A_scrape_counts_torrents_members_and_under_replicated_torrents()
    {
        var status = new NodeStatus("id", "0.1.0", 10, "127.0.0.1:1", "/d", "SQLite", "up member of 2", 2, 1, 1, 0, 0, 4, 100, 50, 0, 0, "info");
        var seeding = new TorrentSummary("aa", "one", 10, 1, "seeding", null, 0, 50, 0, 10, 1, 2, 1, 1, "/d", 0, 0);
        var downloading = new TorrentSummary("bb", "two", 10, 0.5, "downloading", null, 100, 0, 5, 0, 3, 0, 2, 1, "/d", 0, 0) { JournalPending = 3, JournalWaitSeconds = 1.5 };
        var cluster = new ClusterInfo("self", "self", [
            new ClusterMember("self", "up", true, true, true, "id", null, 2, 1),
            new ClusterMember("other", "up", false, false, false, "id2", null, 1, 1),
        ]);
        ClusterTorrent[] all = [new("aa", "one", 10, 2, 2, 0, ["self", "other"]), new("bb", "two", 10, 2, 0, 1, ["self"])];
        var text = NodeMetrics.Render(new MetricsSnapshot(status, [(1, seeding, 100), (2, downloading, 200)], cluster, all, true, 0.002));

        Assert.Contains("transmission_session_stats_torrents{type=\"all\"} 2\n", text);
        Assert.Contains("transmission_torrent_status{id=\"2\",name=\"two\",hash=\"bb\"} 4\n", text);
        Assert.Contains("transmission_torrent_added{id=\"1\",name=\"one\",hash=\"aa\"} 100\n", text);
        Assert.Contains("swarm_torrent_copies{id=\"1\",name=\"one\",hash=\"aa\"} 2\n", text);
        Assert.Contains("swarm_cluster_members{status=\"up\",reachable=\"false\"} 1\n", text);
        Assert.Contains("swarm_cluster_members{status=\"up\",reachable=\"true\"} 1\n", text);
        Assert.Contains("swarm_cluster_under_replicated_torrents 1\n", text);
        Assert.Contains("swarm_cluster_joined 1\n", text);
        Assert.Contains("swarm_peers 4\n", text);
        Assert.Contains("swarm_journal_pending 3\n", text);
        Assert.Contains("swarm_journal_lag_seconds 1.5\n", text);

        var families = text.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToList();
        Assert.Equal(families.Count, families.Distinct().Count());
        Assert.All(text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')), l => Assert.Contains(families, f => l.StartsWith(f, StringComparison.Ordinal)));
    }

    [Fact]
    public void A_standalone_node_has_no_cluster_families_but_says_it_is_not_joined()
    {
        var status = new NodeStatus("id", "0.1.0", 10, "127.0.0.1:1", "/d", "SQLite", "standalone", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "info");
        var text = NodeMetrics.Render(new MetricsSnapshot(status, [], null, null, false, 5));
        Assert.Contains("swarm_cluster_joined 0\n", text);
        Assert.Contains("swarm_journal_up 0\n", text);
        Assert.DoesNotContain("swarm_cluster_members", text);
    }
}
