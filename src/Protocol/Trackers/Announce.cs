using System.Net;

namespace Swarm.Protocol.Trackers;

public enum AnnounceEvent
{
    None = 0,
    Completed = 1,
    Started = 2,
    Stopped = 3,
}

public sealed record AnnounceRequest(
    InfoHash InfoHash,
    byte[] PeerId,
    int Port,
    long Uploaded,
    long Downloaded,
    long Left,
    AnnounceEvent Event,
    int NumWant = 50,
    uint Key = 0,
    string? TrackerId = null);

public sealed record AnnounceResponse(
    TimeSpan Interval,
    TimeSpan? MinInterval,
    IReadOnlyList<IPEndPoint> Peers,
    int? Seeders,
    int? Leechers,
    string? Warning,
    string? TrackerId);

public sealed record ScrapeEntry(InfoHash InfoHash, int Seeders, int Completed, int Leechers);

/// <summary>The tracker answered with a failure reason, or with something that is not a tracker response.</summary>
public sealed class TrackerException(string message) : Exception(message);
