using Akka.Configuration;

namespace Swarm.Node.Http;

/// <summary>The `swarm.dashboard` block: how the live page at `/` is fed (see hocon/swarm.conf for each default's
/// reason).</summary>
/// <param name="RefreshInterval">How often the node is asked while a page is open; a snapshot is pushed only when it
/// changed.</param>
/// <param name="KeepAlive">Longest silence on the event stream: a comment line then, so proxies keep it open and a
/// page that went away is noticed.</param>
/// <param name="PieceBuckets">Cells in a torrent's piece strip (fewer when the torrent has fewer pieces).</param>
/// <param name="MaxPieceStrips">Incomplete torrents whose bitfield is asked each refresh; the rest show no strip.</param>
/// <param name="DepartedShownFor">How long a member that left the cluster (or was downed) stays listed as removed.</param>
public sealed record DashboardSettings(bool Enabled, TimeSpan RefreshInterval, TimeSpan KeepAlive, int PieceBuckets, int MaxPieceStrips, TimeSpan DepartedShownFor)
{
    public static readonly DashboardSettings Default = new(true, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15), 100, 50, TimeSpan.FromMinutes(10));

    public static DashboardSettings From(Config config)
    {
        var d = config.GetConfig("swarm.dashboard");
        if (d is null)
        {
            return Default;
        }

        var s = new DashboardSettings(
            d.GetBoolean("enabled", Default.Enabled),
            d.GetTimeSpan("refresh-interval", Default.RefreshInterval),
            d.GetTimeSpan("keep-alive", Default.KeepAlive),
            d.GetInt("piece-buckets", Default.PieceBuckets),
            d.GetInt("max-piece-strips", Default.MaxPieceStrips),
            d.GetTimeSpan("departed-members-shown-for", Default.DepartedShownFor));
        if (s.RefreshInterval <= TimeSpan.Zero || s.KeepAlive <= TimeSpan.Zero)
        {
            throw new ArgumentException("swarm.dashboard.refresh-interval and keep-alive must be longer than zero");
        }

        if (s.PieceBuckets is < 1 or > 1000 || s.MaxPieceStrips < 0)
        {
            throw new ArgumentException($"swarm.dashboard.piece-buckets is between 1 and 1000 (not {s.PieceBuckets}) and max-piece-strips not negative (not {s.MaxPieceStrips})");
        }

        return s;
    }
}
