using System.Net;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerServer;

/// <summary>Messages of the embedded tracker (the index server): front ends (HTTP, UDP) ask the registry.</summary>
public static class TrackerServerMessages
{
    /// <param name="From">The address the request came from: the peer is recorded there, whatever it claims.</param>
    public sealed record Announce(TrackerAnnounce Request, IPAddress From);

    public sealed record AnnounceAnswer(TimeSpan Interval, TimeSpan MinInterval, int Complete, int Incomplete, IReadOnlyList<(IPEndPoint EndPoint, byte[] PeerId)> Peers);

    public sealed record AnnounceRefused(string Reason);

    public sealed record Scrape(IReadOnlyList<InfoHash> InfoHashes);

    public sealed record ScrapeAnswer(IReadOnlyList<ScrapeEntry> Entries);

    /// <summary>Totals, for status lines and the benchmark.</summary>
    public sealed record GetTrackerStats;

    public sealed record TrackerStats(int Torrents, int Peers, long Announces);
}
