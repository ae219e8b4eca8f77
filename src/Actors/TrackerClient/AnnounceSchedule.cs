using Swarm.Actors.Configuration;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerClient;

/// <summary>When to announce again after a round.</summary>
public static class AnnounceSchedule
{
    /// <param name="response">The answer of the tracker that answered, or null when none did.</param>
    public static TimeSpan Next(AnnounceResponse? response, TrackerSettings settings) => response switch
    {
        null => settings.RetryInterval,
        // An empty swarm is asked again soon: the tracker's interval (opentracker: 30 min) is too long to wait alone.
        { Peers.Count: 0 } => settings.RetryInterval,
        _ => response.Interval > settings.MinInterval ? response.Interval : settings.MinInterval,
    };
}
