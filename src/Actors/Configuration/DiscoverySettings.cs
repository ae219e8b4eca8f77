using Akka.Configuration;

namespace Swarm.Actors.Configuration;

/// <summary>The `swarm.pex` block (issue 15, BEP 11 peer exchange).</summary>
/// <param name="Enabled">Off: ut_pex is neither advertised nor read.</param>
/// <param name="Interval">Least time between two ut_pex messages to one peer.</param>
/// <param name="CheckInterval">How often the torrent offers its connected peers to its connections (each sends only
/// when its interval has passed).</param>
/// <param name="MaxAdded">Added peers per message, sent and read (the rest of a longer list is ignored).</param>
/// <param name="MaxDropped">Dropped peers per message, sent and read.</param>
/// <param name="MinReceiveInterval">Messages from one peer closer together than this are ignored.</param>
/// <param name="MaxLearntPerConnection">Peers one connection may teach us over its life.</param>
public sealed record PexSettings(bool Enabled, TimeSpan Interval, TimeSpan CheckInterval, int MaxAdded, int MaxDropped, TimeSpan MinReceiveInterval, int MaxLearntPerConnection)
{
    public static PexSettings Default { get; } = new(true, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5), 50, 50, TimeSpan.FromSeconds(20), 200);

    public static PexSettings From(Config c) => new(
        c.GetBoolean("enabled"),
        c.GetTimeSpan("interval"),
        c.GetTimeSpan("check-interval"),
        c.GetInt("max-added"),
        c.GetInt("max-dropped"),
        c.GetTimeSpan("min-receive-interval"),
        c.GetInt("max-learnt-per-connection"));
}

/// <summary>The `swarm.lsd` block (issue 15, BEP 14 local service discovery).</summary>
/// <param name="Enabled">Off: no LSD socket at all.</param>
/// <param name="Interval">How often every public torrent is announced again.</param>
/// <param name="MinAnnounceInterval">Least time between two announces of one torrent (a torrent that starts is
/// announced at once, unless it was this recently).</param>
/// <param name="Group">IPv4 multicast group (BEP 14: 239.192.152.143).</param>
/// <param name="Port">UDP port of the group (BEP 14: 6771).</param>
/// <param name="Interface">Local address whose interface joins the group and sends; empty: the system's choice.</param>
/// <param name="Ttl">Multicast hops: 1 stays on the local network, 0 on this machine.</param>
/// <param name="MaxMessageSize">Datagrams longer than this are dropped unread.</param>
/// <param name="MaxInfoHashesPerMessage">Info-hashes read from one datagram (and sent in one).</param>
/// <param name="MaxPerSourcePerMinute">Datagrams taken from one address per minute; the rest are dropped.</param>
/// <param name="MaxPerMinute">Datagrams taken per minute from everyone together.</param>
public sealed record LsdSettings(
    bool Enabled,
    TimeSpan Interval,
    TimeSpan MinAnnounceInterval,
    string Group,
    int Port,
    string Interface,
    int Ttl,
    int MaxMessageSize,
    int MaxInfoHashesPerMessage,
    int MaxPerSourcePerMinute,
    int MaxPerMinute)
{
    public static LsdSettings Default { get; } = new(true, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), "239.192.152.143", 6771, "", 1, 1400, 16, 20, 200);

    public static LsdSettings From(Config c) => new(
        c.GetBoolean("enabled"),
        c.GetTimeSpan("interval"),
        c.GetTimeSpan("min-announce-interval"),
        c.GetString("group"),
        c.GetInt("port"),
        c.GetString("interface") ?? "",
        c.GetInt("ttl"),
        c.GetInt("max-message-size"),
        c.GetInt("max-infohashes-per-message"),
        c.GetInt("max-per-source-per-minute"),
        c.GetInt("max-per-minute"))
    {
        ReadyDelay = c.GetTimeSpan("ready-delay", Default.ReadyDelay), // issue 14: recovery
    };

    /// <summary>Issue 14 (recovery): torrents becoming ready within this long are listed and announced together.</summary>
    public TimeSpan ReadyDelay { get; init; } = TimeSpan.FromSeconds(1);
}
