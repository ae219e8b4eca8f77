using System.Net;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerServer;

/// <summary>Messages of the embedded tracker (the index server): front ends (HTTP, UDP) ask the registry, the
/// registry asks and feeds one actor per tracked torrent.</summary>
public static class TrackerServerMessages
{
    /// <param name="From">The address the request came from: the peer is recorded there, whatever it claims.</param>
    public sealed record Announce(TrackerAnnounce Request, IPAddress From);

    /// <param name="Peers">Already in wire form, so each front end copies them into its answer as they are.</param>
    public sealed record AnnounceAnswer(TimeSpan Interval, TimeSpan MinInterval, int Complete, int Incomplete, TrackerServerPeers Peers);

    public sealed record AnnounceRefused(string Reason);

    public sealed record Scrape(IReadOnlyList<InfoHash> InfoHashes);

    public sealed record ScrapeAnswer(IReadOnlyList<ScrapeEntry> Entries);

    /// <summary>What the tracker holds right now (tests read it to see bounds and expiry at work).</summary>
    public sealed record GetTrackerStats;

    public sealed record TrackerStatsReply(int Torrents, int Peers);

    /// <summary>A tracked torrent's seeders, completions and leechers, for a scrape.</summary>
    public sealed record GetSwarmCounts
    {
        public static readonly GetSwarmCounts Instance = new();
    }

    public sealed record SwarmCountsReply(ScrapeEntry Counts);

    /// <summary>The cluster members holding a tracked torrent (from the gossip), answered as peers too.</summary>
    public sealed record SetClusterPeers(IReadOnlyList<(IPEndPoint EndPoint, bool Complete)> Peers);

    /// <summary>A tracked torrent's periodic tick: drop peers silent for <c>peer-expiry</c>, stop when long empty.</summary>
    public sealed record SweepExpiredPeers
    {
        public static readonly SweepExpiredPeers Instance = new();
    }

    /// <summary>The UDP front end's periodic tick: answer "busy" to announces left unanswered past the ask timeout.</summary>
    public sealed record ExpireUdpAnswers
    {
        public static readonly ExpireUdpAnswers Instance = new();
    }
}
