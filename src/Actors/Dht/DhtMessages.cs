using System.Net;
using Akka.Actor;
using Swarm.Protocol.Dht;

namespace Swarm.Actors.Dht;

/// <summary>Messages of the node's DHT (<see cref="DhtActor"/>) and its lookups (<see cref="DhtLookupActor"/>).</summary>
public static class DhtMessages
{
    /// <summary>Published on the event stream by a torrent (non-private) or a magnet awaiting its metadata: the DHT
    /// looks its info-hash up, delivers the peers it finds to <paramref name="Torrent"/> as
    /// <c>TorrentMessages.AddPeers</c> and, when <paramref name="Announce"/>, announces us as a peer, until the actor stops.</summary>
    public sealed record TrackOnDht(string InfoHash, IActorRef Torrent, bool Announce);

    /// <summary>Answered with <see cref="DhtStatus"/>.</summary>
    public sealed record GetDhtStatus;

    /// <summary>The answer to <see cref="GetDhtStatus"/> on a node running without a DHT (--no-dht).</summary>
    public sealed record DhtOff;

    /// <param name="Buckets">Nodes per bucket, from the farthest (bucket 0) to the one around our own id.</param>
    /// <param name="Tracked">Info-hashes looked up (torrents and magnets).</param>
    /// <param name="Announced">Info-hashes announced at least once.</param>
    /// <param name="StoredTorrents">Info-hashes others announced to us.</param>
    public sealed record DhtStatus(string NodeId, string EndPoint, int Nodes, IReadOnlyList<int> Buckets, int Tracked, int Announced, int StoredTorrents, IReadOnlyList<DhtLookupRecord> Recent);

    /// <param name="Target">Info-hash (or our own id for the bootstrap lookup).</param>
    /// <param name="Kind">get_peers or find_node.</param>
    public sealed record DhtLookupRecord(string Target, string Kind, int Answered, int Peers, int AnnouncedTo, DateTimeOffset Ended, TimeSpan Took);

    // lookup child <-> DHT actor

    /// <summary>Lookup to DHT actor: send <paramref name="To"/> a get_peers (or find_node) for <paramref name="Target"/>.</summary>
    internal sealed record AskNode(DhtContact To, NodeId Target, bool GetPeers);

    /// <summary>DHT actor to lookup: the node answered (its nodes already filtered by the address rules).</summary>
    internal sealed record NodeAnswered(IPEndPoint From, IReadOnlyList<DhtContact> Nodes, IReadOnlyList<IPEndPoint> Values, byte[]? Token);

    /// <summary>DHT actor to lookup: the node did not answer in time (or answered with an error).</summary>
    internal sealed record NodeSilent(IPEndPoint From);

    /// <summary>Lookup to DHT actor: peers not seen before in this lookup.</summary>
    internal sealed record LookupPeers(NodeId Target, IReadOnlyList<IPEndPoint> Peers);

    /// <summary>Lookup to DHT actor: the lookup converged; <paramref name="AnnounceTo"/> are the closest nodes that gave a token.</summary>
    internal sealed record LookupEnded(NodeId Target, bool GetPeers, IReadOnlyList<LookupCandidate> AnnounceTo, int Answered, int Peers);

    // DHT actor internals

    internal sealed record DhtTick
    {
        public static DhtTick Instance { get; } = new();
    }

    internal sealed record BootstrapResolved(IReadOnlyList<IPEndPoint> Nodes, IReadOnlyList<string> Failures);
}
