using System.Net;
using Akka.Actor;
using Swarm.Actors.Configuration;
using Swarm.Protocol;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.TrackerServer;

/// <summary>Holds one torrent's <see cref="TrackedSwarm"/> for the tracker: answers its announces and counts, sweeps
/// silent peers on a timer, and stops once the swarm has ended. Room for each remembered peer is taken from its
/// address's share (<see cref="TrackerBudgets.PerAddress"/>) and from the node-wide <see cref="PeerBudget"/>, and
/// given back to both when the peer goes.</summary>
public sealed class TrackedTorrentActor : ReceiveActor, IWithTimers
{
    private readonly TrackerServerSettings _settings;
    private readonly TrackerBudgets _budgets;
    private readonly TimeProvider _clock;
    private TrackedSwarm _swarm;

    public TrackedTorrentActor(InfoHash hash, TrackerServerSettings settings, TrackerBudgets budgets, TimeProvider clock)
    {
        _settings = settings;
        _budgets = budgets;
        _clock = clock;
        _swarm = TrackedSwarm.Empty(hash, clock.GetUtcNow());
        Receive<Announce>(OnAnnounce);
        Receive<GetSwarmCounts>(_ => Sender.Tell(new SwarmCountsReply(_swarm.Counts())));
        Receive<SetClusterPeers>(c => _swarm = _swarm with { ClusterPeers = c.Peers });
        Receive<SweepExpiredPeers>(_ => Sweep());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(InfoHash hash, TrackerServerSettings settings, TrackerBudgets budgets, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new TrackedTorrentActor(hash, settings, budgets, clock));

    protected override void PreStart()
    {
        var shortest = _settings.ProbationExpiry < _settings.PeerExpiry ? _settings.ProbationExpiry : _settings.PeerExpiry;
        Timers.StartPeriodicTimer("sweep", SweepExpiredPeers.Instance, shortest / TrackedSwarm.SweepsPerExpiry);
    }

    protected override void PostStop() => Release([.. _swarm.Peers.Keys]);

    private void OnAnnounce(Announce a)
    {
        var request = a.Request;
        var endpoint = TrackedSwarm.EndPointOf(a.From, request.Port);
        // Past the torrent's bound, the address's share or the node's budget a new peer is answered but not remembered.
        var admitted = _swarm.WantsRoom(request.Event, endpoint, _settings.MaxPeersPerTorrent, _settings.MaxPeersPerAddressInTorrent) && _budgets.TryTakePeer(endpoint.Address);
        (_swarm, var released) = _swarm.Announce(request, endpoint, _clock.GetUtcNow(), admitted);
        Release(released);
        var counts = _swarm.Counts();
        var peers = _swarm.PeersFor(request, endpoint, Random.Shared);
        var interval = _swarm.OnProbation(endpoint) ? _settings.ProbationInterval : _settings.Interval;
        var minInterval = interval < _settings.MinInterval ? interval : _settings.MinInterval;
        Sender.Tell(new AnnounceAnswer(interval, minInterval, counts.Seeders, counts.Leechers, peers));
    }

    private void Sweep()
    {
        (_swarm, var released, var ended) = _swarm.Sweep(_clock.GetUtcNow(), _settings.PeerExpiry, _settings.ProbationExpiry);
        Release(released);
        if (ended)
        {
            Context.Stop(Self);
        }
    }

    private void Release(IReadOnlyList<IPEndPoint> peers)
    {
        foreach (var peer in peers)
        {
            _budgets.GivePeer(peer.Address);
        }
    }
}
