using System.Collections.Concurrent;
using Akka.Actor;
using Swarm.Protocol;

namespace Swarm.Actors.TrackerServer;

/// <summary>Which torrents have a swarm actor right now, readable from the front ends' own threads, so an announce for
/// a tracked torrent goes straight to its <see cref="TrackedTorrentActor"/> instead of through the registry's mailbox
/// (one wait for a core less per announce). Written by the <see cref="TrackerRegistryActor"/> alone: it still decides
/// every new torrent (bounds, creators' shares), since a torrent it has not created is not found here. An entry can
/// outlive its swarm for a moment (the swarm ended, the registry has not yet seen it): an announce sent then is lost
/// like a dropped packet, and the front end answers it "busy" at its timeout.</summary>
public sealed class TrackedSwarmIndex
{
    private readonly ConcurrentDictionary<InfoHash, IActorRef> _swarms = new();

    /// <summary>The torrent's swarm, or <paramref name="registry"/> when the torrent is not tracked (yet).</summary>
    public IActorRef Route(InfoHash hash, IActorRef registry) => _swarms.TryGetValue(hash, out var swarm) ? swarm : registry;

    internal void Publish(InfoHash hash, IActorRef swarm) => _swarms[hash] = swarm;

    internal void Withdraw(InfoHash hash) => _swarms.TryRemove(hash, out _);
}
