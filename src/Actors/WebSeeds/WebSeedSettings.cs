using Akka.Configuration;

namespace Swarm.Actors.WebSeeds;

/// <summary>The `swarm.web-seeds` block (issue 17, BEP 19); reasons for each default are in hocon/swarm.conf.</summary>
public sealed record WebSeedSettings(
    bool Enabled,
    int MaxConnectionsPerServer,
    int RequestBytes,
    TimeSpan RequestTimeout,
    TimeSpan ConnectTimeout,
    int MaxRedirects,
    TimeSpan BackoffInitial,
    TimeSpan BackoffMax,
    TimeSpan CheckInterval,
    TimeSpan PooledConnectionIdleTimeout)
{
    public static WebSeedSettings Default { get; } = new(true, 4, 4 * 1024 * 1024, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10), 5, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(50));

    public static WebSeedSettings From(Config c)
    {
        var settings = new WebSeedSettings(
            c.GetBoolean("enabled"),
            c.GetInt("max-connections-per-server"),
            (int)Math.Min(int.MaxValue / 2, c.GetByteSize("request-bytes") ?? 0),
            c.GetTimeSpan("request-timeout"),
            c.GetTimeSpan("connect-timeout"),
            c.GetInt("max-redirects"),
            c.GetTimeSpan("backoff-initial"),
            c.GetTimeSpan("backoff-max"),
            c.GetTimeSpan("check-interval"),
            c.GetTimeSpan("pooled-connection-idle-timeout"));
        if (settings.MaxConnectionsPerServer < 1 || settings.RequestBytes < 16 * 1024 || settings.MaxRedirects < 0
            || settings.BackoffInitial <= TimeSpan.Zero || settings.BackoffMax < settings.BackoffInitial || settings.CheckInterval <= TimeSpan.Zero
            || settings.RequestTimeout <= TimeSpan.Zero || settings.ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ConfigurationException("swarm.web-seeds: max-connections-per-server >= 1, request-bytes >= 16KiB, max-redirects >= 0, positive timeouts and intervals, backoff-max >= backoff-initial");
        }

        return settings;
    }
}
