using System.Collections.Immutable;

namespace Swarm.Actors.TrackerClient;

/// <summary>BEP 15 connection ids by tracker URL, each usable for <see cref="Swarm.Protocol.Trackers.UdpTrackerCodec.ConnectionIdLifetime"/>
/// after it was received: reusing one saves a round trip per announce.</summary>
public sealed class UdpConnectionIds(TimeSpan lifetime)
{
    private ImmutableDictionary<string, (long Id, DateTimeOffset Received)> _ids = ImmutableDictionary<string, (long, DateTimeOffset)>.Empty;

    private UdpConnectionIds(TimeSpan lifetime, ImmutableDictionary<string, (long Id, DateTimeOffset Received)> ids)
        : this(lifetime)
    {
        _ids = ids;
    }

    /// <summary>The id for <paramref name="url"/> if one was received within its lifetime.</summary>
    public long? Valid(string url, DateTimeOffset now) =>
        _ids.TryGetValue(url, out var c) && now - c.Received <= lifetime ? c.Id : null;

    public UdpConnectionIds Received(string url, long id, DateTimeOffset now) => new(lifetime, _ids.SetItem(url, (id, now)));

    /// <summary>An announce with this id went unanswered: the tracker may have expired it early.</summary>
    public UdpConnectionIds Forget(string url) => new(lifetime, _ids.Remove(url));
}
