namespace Swarm.Actors.Configuration;

/// <summary>The embedded tracker (`swarm tracker`, or inside `swarm node` with <paramref name="InNode"/>).</summary>
public sealed record TrackerServerSettings(
    bool InNode,
    string BindAddress,
    int HttpPort,
    int UdpPort,
    TimeSpan Interval,
    TimeSpan MinInterval,
    TimeSpan PeerExpiry,
    int DefaultNumWant,
    int MaxNumWant,
    int MaxPeersPerTorrent,
    int MaxTorrents,
    int MaxPeers,
    int MaxScrape,
    TimeSpan AskTimeout,
    int UdpMaxInFlight)
{
    // hardening: trackers

    /// <summary>Torrents one source address may have created that are still tracked; past it its new torrents are refused.</summary>
    public int MaxTorrentsPerAddress { get; init; } = 1000;

    /// <summary>Peers remembered from one source address over all torrents; past it its new peers are answered, not remembered.</summary>
    public int MaxPeersPerAddress { get; init; } = 5000;

    /// <summary>Peers (ports) remembered from one source address in one torrent.</summary>
    public int MaxPeersPerAddressInTorrent { get; init; } = 16;

    /// <summary>The interval told to a peer on its first announce to a torrent, so an honest one comes back soon.</summary>
    public TimeSpan ProbationInterval { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A peer that announced once is forgotten after this silence (a re-announcing one after <see cref="PeerExpiry"/>).</summary>
    public TimeSpan ProbationExpiry { get; init; } = TimeSpan.FromMinutes(5);

    // issue 14: tracker speed

    /// <summary>Tracked swarms run on the <c>InlineDispatcher</c>: an announce is answered on the thread that received it.</summary>
    public bool SwarmsOnSendersThread { get; init; } = true;

    /// <summary>HTTP connections served at once; past it a new connection is closed at once.</summary>
    public int HttpMaxConnections { get; init; } = 1024;

    /// <summary>How long an HTTP client has to send a whole request head (and a kept-alive one its next request).</summary>
    public TimeSpan HttpRequestTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
