using Akka.Actor;
using Swarm.Actors.Configuration;
using Swarm.Protocol;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.TrackerServer;

/// <summary>Holds one torrent's <see cref="TrackedSwarm"/> for the tracker: answers its announces and counts, sweeps
/// silent peers on a timer, and stops once the swarm has ended. Room for each remembered peer is taken from its
/// address's share (<see cref="TrackerBudgets.PerAddress"/>) and from the node-wide <see cref="PeerBudget"/>, and
/// given back to both when the peer goes.</summary>
public sealed class TrackedTorrentActor : HandlerActor, IWithTimers
{
    private readonly TrackerServerSettings _settings;
    private readonly TrackerBudgets _budgets;
    private readonly TimeProvider _clock;
    private readonly TrackedSwarm _swarm;

    public TrackedTorrentActor(InfoHash hash, TrackerServerSettings settings, TrackerBudgets budgets, TimeProvider clock)
    {
        _settings = settings;
        _budgets = budgets;
        _clock = clock;
        _swarm = new TrackedSwarm(hash, clock.GetUtcNow());
        Receive<Announce>(a => Sender.Tell(OnAnnounce(a)));
        Receive<GetSwarmCounts>(_ => Sender.Tell(new SwarmCountsReply(_swarm.Counts())));
        Receive<SetClusterPeers>(c => _swarm.ClusterPeers = c.Peers);
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

    protected override void PostStop()
    {
        for (var i = 0; i < _swarm.Peers.Count; i++)
        {
            _budgets.GivePeer(_swarm.Peers[i].Address);
        }
    }

    private AnnounceAnswer OnAnnounce(Announce a)
    {
        var request = a.Request;
        var address = PeerAddress.From(a.From);
        var port = (ushort)request.Port;
        // Past the torrent's bound, the address's share or the node's budget a new peer is answered but not remembered.
        var admitted = _swarm.WantsRoom(request.Event, address, port, _settings.MaxPeersPerTorrent, _settings.MaxPeersPerAddressInTorrent) && _budgets.TryTakePeer(address);
        if (_swarm.Announce(request, address, port, _clock.GetUtcNow(), admitted) is { } released)
        {
            _budgets.GivePeer(released);
        }

        var counts = _swarm.Counts();
        var peers = _swarm.PeersFor(request, address, port, Random.Shared);
        var interval = _swarm.OnProbation(address, port) ? _settings.ProbationInterval : _settings.Interval;
        var minInterval = interval < _settings.MinInterval ? interval : _settings.MinInterval;
        return new AnnounceAnswer(interval, minInterval, counts.Seeders, counts.Leechers, peers);
    }

    private void Sweep()
    {
        var (released, ended) = _swarm.Sweep(_clock.GetUtcNow(), _settings.PeerExpiry, _settings.ProbationExpiry);
        foreach (var address in released)
        {
            _budgets.GivePeer(address);
        }

        if (ended)
        {
            Context.Stop(Self);
        }
    }
}
