using System.Text.Json;
using Swarm.Node.Http;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.Http;

/// <summary>The dashboard's pure parts: piece strips from a bitfield, members remembered after they leave, and a
/// snapshot that changes only when something a person sees changed.</summary>
public sealed class DashboardSnapshotTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_strip_gives_each_bucket_the_share_of_its_pieces_verified()
    {
        // 10 pieces: 1111 0000 10 (BEP 3: first piece in the high bit).
        byte[] bitfield = [0b1111_0000, 0b1000_0000];
        Assert.Equal([100, 100, 0, 0, 50], PieceStrip.Buckets(bitfield, 10, 5));
        // Fewer pieces than buckets: one bucket per piece.
        Assert.Equal([100, 100, 100, 100, 0, 0, 0, 0, 100, 0], PieceStrip.Buckets(bitfield, 10, 100));
        // Uneven buckets (10 pieces in 3): [0,3) [3,6) [6,10); 100 only when all are there.
        Assert.Equal([100, 33, 25], PieceStrip.Buckets(bitfield, 10, 3));
        Assert.Empty(PieceStrip.Buckets([], 0, 100));
        // A short bitfield (a peer's or a journal's) counts the missing bytes as missing pieces.
        Assert.Equal([100, 0], PieceStrip.Buckets([0xFF], 16, 2));
        Assert.Equal([100, 100, 100], PieceStrip.Uniform(3, 100, full: true));
        Assert.Equal(100, PieceStrip.Uniform(5000, 100, full: false).Length);
    }

    [Fact]
    public void A_member_gone_from_the_membership_is_shown_removed_and_unreachable_until_the_window_passes()
    {
        var a = new ClusterMember("akka.tcp://swarm@10.0.0.1:4060", "up", true, true, true, "a", null, 1, 1);
        var b = new ClusterMember("akka.tcp://swarm@10.0.0.2:4060", "up", true, false, false, "b", null, 1, 1);
        var window = TimeSpan.FromMinutes(10);

        var (h1, both) = MemberHistory.Empty.Observe([a, b], T0, window);
        Assert.Equal(["up", "up"], both.Select(m => m.Status));
        Assert.All(both, m => Assert.False(m.Departed));

        var (h2, unreachable) = h1.Observe([a, b with { Reachable = false }], T0.AddSeconds(5), window);
        Assert.False(unreachable.Single(m => m.NodeId == "b").Reachable);

        var (h3, downed) = h2.Observe([a], T0.AddSeconds(15), window);
        var gone = downed.Single(m => m.NodeId == "b");
        Assert.Equal(("removed", false, true), (gone.Status, gone.Reachable, gone.Departed));

        var (h4, still) = h3.Observe([a], T0.AddSeconds(5) + window, window);
        Assert.Equal(2, still.Length);
        var (_, forgotten) = h4.Observe([a], T0.AddSeconds(6) + window, window);
        Assert.Equal("a", Assert.Single(forgotten).NodeId);

        // Back (a restart at the same address): a member again.
        var (_, back) = h3.Observe([a, b], T0.AddSeconds(30), window);
        Assert.All(back, m => Assert.Equal("up", m.Status));
    }

    [Fact]
    public void A_snapshot_marks_under_replicated_torrents_and_serialises_alike_when_only_noise_changed()
    {
        var status = new NodeStatus("id", "1.0.0", 125.4, "127.0.0.1:1", "/d", "SQLite", "up member of 2", 1, 1, 0, 0, 0, 2, 1000.3, 0.2, 0, 0, "info");
        var t = new TorrentSummary("aa", "one", 10, 0.5, "downloading", null, 1000.3, 0.2, 5, 0, 2, 1, 10, 5, "/d", 0, 0) { Factor = 2 };
        ClusterTorrent[] cluster = [new("aa", "one", 10, 2, 1, 0, ["x"]), new("bb", "two", 10, 1, 1, 0, ["x"])];
        var strips = new Dictionary<string, int[]> { ["aa"] = [100, 0] };

        var s1 = DashboardSnapshot.Build(status, 80_123_456_789, [t], strips, [], cluster);
        Assert.Equal([true, false], s1.Replicas!.Select(r => r.UnderReplicated));
        Assert.Equal(2, s1.Node.UptimeMinutes);
        Assert.Equal(80_123_000_000, s1.Node.FreeDisk);
        Assert.Equal(1000, s1.Torrents.Single().DownloadRate);

        // Seconds of uptime, fractions of a byte per second, a few kB of disk: nothing a person sees.
        var s2 = DashboardSnapshot.Build(status with { UptimeSeconds = 130, DownloadRate = 1000.1 }, 80_123_400_000, [t with { DownloadRate = 999.8 }], strips, [], cluster);
        Assert.Equal(JsonSerializer.Serialize(s1), JsonSerializer.Serialize(s2));
        var s3 = DashboardSnapshot.Build(status, 80_123_456_789, [t with { VerifiedPieces = 6 }], strips, [], cluster);
        Assert.NotEqual(JsonSerializer.Serialize(s1), JsonSerializer.Serialize(s3));
        Assert.Null(DashboardSnapshot.Build(status, null, [t], strips, null, null).Cluster);
    }
}
