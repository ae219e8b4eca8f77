using System.Collections.Immutable;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Http;

/// <summary>What the dashboard page shows at one moment, built from the console's own answers (status, torrents with
/// their bitfields, cluster members, cluster torrents). Serialised as the event stream's JSON; two equal snapshots
/// serialise alike, so the feed pushes only changes.</summary>
/// <param name="Cluster">Null on a standalone node.</param>
public sealed record DashboardSnapshot(
    DashboardNode Node,
    IReadOnlyList<DashboardTorrent> Torrents,
    IReadOnlyList<DashboardMember>? Cluster,
    IReadOnlyList<DashboardReplica>? Replicas)
{
    /// <param name="strips">The piece strip of each torrent that has one (by info-hash).</param>
    public static DashboardSnapshot Build(NodeStatus status, long? freeDisk, TorrentSummary[] torrents, IReadOnlyDictionary<string, int[]> strips, IReadOnlyList<DashboardMember>? members, ClusterTorrent[]? clusterTorrents)
    {
        var node = new DashboardNode(
            status.NodeId,
            status.Version,
            (long)(status.UptimeSeconds / 60),
            status.ClusterRole,
            status.PeerEndPoint,
            status.Peers,
            Rate(status.DownloadRate),
            Rate(status.UploadRate),
            // Megabytes: a byte count would change, and push, with every block any program writes.
            freeDisk is { } free ? free / 1_000_000 * 1_000_000 : null);
        var rows = torrents
            .Select(t => new DashboardTorrent(
                t.InfoHash,
                t.Name,
                t.Size,
                Math.Round(t.Progress, 4),
                t.State,
                t.Error,
                Rate(t.DownloadRate),
                Rate(t.UploadRate),
                t.Peers,
                t.Replicas,
                t.Factor,
                t.Replica,
                t.Pieces,
                t.VerifiedPieces,
                strips.TryGetValue(t.InfoHash, out var strip) ? strip : null))
            .OrderBy(t => t.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(t => t.Hash, StringComparer.Ordinal)
            .ToArray();
        var replicas = clusterTorrents?
            .Select(c => new DashboardReplica(c.InfoHash, c.Name, c.Size, c.Factor, c.Complete, c.Partial, c.Members, c.Complete < c.Factor))
            .ToArray();
        return new DashboardSnapshot(node, rows, members, replicas);
    }

    /// <summary>Whole bytes per second: the fractions are noise and would make every refresh a change.</summary>
    private static long Rate(double bytesPerSecond) => (long)Math.Round(bytesPerSecond);
}

public sealed record DashboardNode(string Id, string Version, long UptimeMinutes, string Role, string PeerEndPoint, int Peers, long DownloadRate, long UploadRate, long? FreeDisk);

/// <param name="Strip">Per bucket of pieces, the percentage verified; null when not asked (complete torrents are
/// drawn full, those without metadata empty, the rest past <see cref="DashboardSettings.MaxPieceStrips"/> not at all).</param>
public sealed record DashboardTorrent(
    string Hash,
    string Name,
    long Size,
    double Progress,
    string State,
    string? Error,
    long DownloadRate,
    long UploadRate,
    int Peers,
    int Copies,
    int Factor,
    bool Replica,
    int Pieces,
    int VerifiedPieces,
    int[]? Strip);

/// <param name="Departed">No longer in the cluster's membership (left or downed); shown until
/// <see cref="DashboardSettings.DepartedShownFor"/> has passed.</param>
public sealed record DashboardMember(string Address, string Status, bool Reachable, bool Leader, bool Self, string? NodeId, string? PeerEndPoint, int Torrents, int Complete, bool Departed);

/// <param name="Members">Cluster addresses holding it, complete or not.</param>
public sealed record DashboardReplica(string Hash, string Name, long Size, int Factor, int Complete, int Partial, string[] Members, bool UnderReplicated);

/// <summary>A torrent's verified pieces in a fixed number of buckets, for the page's strip.</summary>
public static class PieceStrip
{
    /// <summary>Per bucket the percentage (0-100, rounded down, so 100 only when every piece is there) of verified
    /// pieces; <paramref name="bitfield"/> is BEP 3's (first piece in the high bit). Bucket i holds pieces
    /// [i*pieces/n, (i+1)*pieces/n).</summary>
    public static int[] Buckets(ReadOnlySpan<byte> bitfield, int pieces, int buckets)
    {
        if (pieces <= 0)
        {
            return [];
        }

        var n = Math.Min(buckets, pieces);
        var result = new int[n];
        for (var b = 0; b < n; b++)
        {
            var from = (int)((long)b * pieces / n);
            var to = (int)((long)(b + 1) * pieces / n);
            var have = 0;
            for (var p = from; p < to; p++)
            {
                if (p / 8 < bitfield.Length && (bitfield[p / 8] & (0x80 >> (p % 8))) != 0)
                {
                    have++;
                }
            }

            result[b] = have * 100 / (to - from);
        }

        return result;
    }

    /// <summary>The strip of a torrent whose pieces are all verified or none are, without asking for its bitfield.</summary>
    public static int[] Uniform(int pieces, int buckets, bool full) => Enumerable.Repeat(full ? 100 : 0, Math.Min(buckets, Math.Max(pieces, 0))).ToArray();
}

/// <summary>The members this page has seen: the current membership, plus those gone from it (left, or downed after
/// being unreachable) for a while, so that a member killed between two refreshes is still seen to have gone.</summary>
public sealed class MemberHistory
{
    private readonly ImmutableDictionary<string, (ClusterMember Member, DateTimeOffset Seen)> _seen;

    private MemberHistory(ImmutableDictionary<string, (ClusterMember, DateTimeOffset)> seen) => _seen = seen;

    public static MemberHistory Empty { get; } = new(ImmutableDictionary.Create<string, (ClusterMember, DateTimeOffset)>(StringComparer.Ordinal));

    /// <summary>The view at <paramref name="now"/> of <paramref name="current"/> members, and the history to use next.</summary>
    public (MemberHistory Next, DashboardMember[] View) Observe(IEnumerable<ClusterMember> current, DateTimeOffset now, TimeSpan keepDeparted)
    {
        var present = current.ToArray();
        var seen = _seen.SetItems(present.Select(m => KeyValuePair.Create(m.Address, (m, now))));
        var gone = seen.Where(kv => present.All(m => m.Address != kv.Key)).ToArray();
        seen = seen.RemoveRange(gone.Where(kv => now - kv.Value.Seen > keepDeparted).Select(kv => kv.Key));
        var view = present
            .Select(m => View(m, departed: false))
            .Concat(gone.Where(kv => seen.ContainsKey(kv.Key)).Select(kv => View(kv.Value.Member, departed: true)))
            .OrderBy(m => m.Address, StringComparer.Ordinal)
            .ToArray();
        return (new MemberHistory(seen), view);
    }

    private static DashboardMember View(ClusterMember m, bool departed) => departed
        ? new DashboardMember(m.Address, "removed", false, false, m.Self, m.NodeId, m.PeerEndPoint, m.Torrents, m.Complete, true)
        : new DashboardMember(m.Address, m.Status, m.Reachable, m.Leader, m.Self, m.NodeId, m.PeerEndPoint, m.Torrents, m.Complete, false);
}
