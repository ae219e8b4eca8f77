using Akka.Actor;
using Swarm.Actors.Configuration;
using Swarm.Protocol;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.TrackerServer;

/// <summary>Holds one torrent's <see cref="TrackedSwarm"/> for the tracker: answers its announces and counts, sweeps
/// silent peers on a timer, and stops once the swarm has been empty for one <c>peer-expiry</c>. Room for each
/// remembered peer is taken from the node-wide <see cref="PeerBudget"/> and given back when the peer goes.</summary>
public sealed class TrackedTorrentActor : ReceiveActor, IWithTimers
{
    private readonly TrackerServerSettings _settings;
    private readonly PeerBudget _budget;
    private readonly TimeProvider _clock;
    private TrackedSwarm _swarm;

    public TrackedTorrentActor(InfoHash hash, TrackerServerSettings settings, PeerBudget budget, TimeProvider clock)
    {
        _settings = settings;
        _budget = budget;
        _clock = clock;
        _swarm = TrackedSwarm.Empty(hash, clock.GetUtcNow());
        Receive<Announce>(OnAnnounce);
        Receive<GetSwarmCounts>(_ => Sender.Tell(new SwarmCountsReply(_swarm.Counts())));
        Receive<SetClusterPeers>(c => _swarm = _swarm with { ClusterPeers = c.Peers });
        Receive<SweepExpiredPeers>(_ => Sweep());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(InfoHash hash, TrackerServerSettings settings, PeerBudget budget, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new TrackedTorrentActor(hash, settings, budget, clock));

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("sweep", SweepExpiredPeers.Instance, _settings.PeerExpiry / TrackedSwarm.SweepsPerExpiry);

    protected override void PostStop() => _budget.Give(_swarm.Peers.Count);

    private void OnAnnounce(Announce a)
    {
        var request = a.Request;
        var endpoint = TrackedSwarm.EndPointOf(a.From, request.Port);
        // Past the torrent's bound or the node's budget a new peer is answered but not remembered.
        var admitted = _swarm.WantsRoom(request.Event, endpoint, _settings.MaxPeersPerTorrent) && _budget.TryTake();
        (_swarm, var released) = _swarm.Announce(request, endpoint, _clock.GetUtcNow(), admitted);
        _budget.Give(released);
        var counts = _swarm.Counts();
        var peers = _swarm.PeersFor(request, endpoint, Random.Shared);
        Sender.Tell(new AnnounceAnswer(_settings.Interval, _settings.MinInterval, counts.Seeders, counts.Leechers, peers));
    }

    private void Sweep()
    {
        (_swarm, var released, var ended) = _swarm.Sweep(_clock.GetUtcNow(), _settings.PeerExpiry);
        _budget.Give(released);
        if (ended)
        {
            Context.Stop(Self);
        }
    }
}
