using Akka.Configuration;

namespace Swarm.Actors.Configuration;

/// <summary>The `swarm.dht` block (issue 15, Mainline DHT, BEP 5): where the DHT starts, how often it looks up and
/// announces, and what strangers on it may cost the node. Read once at start-up by SwarmSettings.From.</summary>
public sealed record DhtSettings(
    bool Enabled,
    IReadOnlyList<string> BootstrapNodes,
    TimeSpan QueryTimeout,
    TimeSpan AnnounceInterval,
    TimeSpan MagnetLookupInterval,
    TimeSpan BootstrapRetryInterval,
    TimeSpan TokenRotation,
    TimeSpan SaveInterval,
    TimeSpan TickInterval,
    int MaxPendingQueries,
    double QueriesPerSecondPerAddress,
    double QueryBurstPerAddress,
    int MaxTrackedAddresses,
    int MaxStoredTorrents,
    int MaxStoredPeersPerTorrent,
    TimeSpan StoredPeerExpiry,
    int MaxValuesPerAnswer,
    bool EnforceNodeId,
    int RecentLookupsKept)
{
    public static DhtSettings Default { get; } = new(
        false, [], TimeSpan.FromSeconds(4), TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), 256, 5, 20, 10_000, 2000, 100, TimeSpan.FromMinutes(30), 50, false, 10);

    public static DhtSettings From(Config? d)
    {
        if (d is null || d.IsEmpty)
        {
            return Default;
        }

        var s = new DhtSettings(
            d.GetBoolean("enabled"),
            [.. d.GetStringList("bootstrap-nodes") ?? []],
            d.GetTimeSpan("query-timeout"),
            d.GetTimeSpan("announce-interval"),
            d.GetTimeSpan("magnet-lookup-interval"),
            d.GetTimeSpan("bootstrap-retry-interval"),
            d.GetTimeSpan("token-rotation"),
            d.GetTimeSpan("save-interval"),
            d.GetTimeSpan("tick-interval"),
            d.GetInt("max-pending-queries"),
            d.GetDouble("queries-per-second-per-address"),
            d.GetDouble("query-burst-per-address"),
            d.GetInt("max-tracked-addresses"),
            d.GetInt("max-stored-torrents"),
            d.GetInt("max-stored-peers-per-torrent"),
            d.GetTimeSpan("stored-peer-expiry"),
            d.GetInt("max-values-per-answer"),
            d.GetBoolean("enforce-node-id"),
            d.GetInt("recent-lookups-kept"));
        if (s.QueryTimeout <= TimeSpan.Zero || s.TickInterval <= TimeSpan.Zero || s.AnnounceInterval <= TimeSpan.Zero || s.MagnetLookupInterval <= TimeSpan.Zero
            || s.MaxPendingQueries <= 0 || s.QueriesPerSecondPerAddress <= 0 || s.QueryBurstPerAddress < 1 || s.MaxTrackedAddresses <= 0
            || s.MaxStoredTorrents <= 0 || s.MaxStoredPeersPerTorrent <= 0 || s.MaxValuesPerAnswer <= 0)
        {
            throw new ConfigurationException("swarm.dht: every interval, limit and bound must be positive");
        }

        return s;
    }
}
