using Akka.Actor;
using Swarm.Actors.Configuration;
using static Swarm.Actors.Clustering.ClusterMessages;

namespace Swarm.Actors.Clustering;

/// <summary>Keeps every torrent of the cluster at its replication factor, from this member's side: every
/// <c>replication-evaluate-interval</c> it runs <see cref="ReplicationPlanner"/> over the latest view, and when this
/// member is chosen for a torrent that has stayed short for <c>replication-stable-after</c> (so that a member
/// restarting or a view still converging does not trigger copies), it asks <paramref name="target"/> for a copy with
/// <see cref="Replicate"/>. A request is repeated only after <c>replication-retry-after</c> if the copy has not shown
/// up in the gossip by then. Likewise, when this member is chosen to release a surplus replica and the surplus has
/// lasted <c>release-surplus-after</c>, it sends <see cref="ReleaseReplica"/> (if <c>release-surplus</c> is on).</summary>
public sealed class ReplicationActor : HandlerActor, IWithTimers
{
    private readonly IActorRef _target;
    private readonly ClusterSettings _settings;
    private readonly TimeProvider _clock;
    private SettledAction _copies;
    private SettledAction _releases;
    private ClusterView? _view;

    /// <param name="clock">The node's clock: settling and retry delays are measured on it.</param>
    public ReplicationActor(IActorRef target, ClusterSettings settings, TimeProvider clock)
    {
        _target = target;
        _settings = settings;
        _clock = clock;
        _copies = SettledAction.Create(settings.ReplicationStableAfter, settings.ReplicationRetryAfter);
        _releases = SettledAction.Create(settings.ReleaseSurplusAfter, settings.ReplicationRetryAfter);
        // Views arrive on every gossip and membership change (many per second while torrents are added) and once per
        // evaluation interval (AvailabilityActor: an event's view can lag it); the plan runs on a timer.
        Receive<ClusterView>(v => _view = v);
        Receive<EvaluateTick>(_ => Evaluate());
        Receive<EvaluateReplication>(_ => Sender.Tell(Evaluate()));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef target, ClusterSettings settings, TimeProvider clock) =>
        Akka.Actor.Props.Create(() => new ReplicationActor(target, settings, clock));

    protected override void PreStart() => Timers.StartPeriodicTimer("evaluate", new EvaluateTick(), _settings.ReplicationEvaluateInterval);

    private ReplicationEvaluated Evaluate()
    {
        if (_view is not { } view)
        {
            return new ReplicationEvaluated([], []);
        }

        var now = _clock.GetUtcNow();
        var mine = view.Members.FirstOrDefault(m => m.Member == view.Self)?.Holdings;
        var plans = ReplicationPlanner.Plan(view.Members, view.ReplicationFactors, _settings.ReplicationFactor);

        var shortOf = plans.Where(p => p.Chosen.Contains(view.Self)).ToDictionary(p => p.InfoHash, StringComparer.Ordinal);
        (_copies, var copies) = _copies.Review(shortOf.Keys, done: h => mine?.Find(h) is not null, now);
        foreach (var hash in copies)
        {
            var plan = shortOf[hash];
            _target.Tell(new Replicate(hash, $"{plan.Complete} complete and {plan.InProgress} partial cop{(plan.Complete + plan.InProgress == 1 ? "y" : "ies")} of {plan.Factor} wanted"));
        }

        var surplus = _settings.ReleaseSurplus
            ? plans.Where(p => p.Released.Contains(view.Self)).ToDictionary(p => p.InfoHash, StringComparer.Ordinal)
            : [];
        (_releases, var releases) = _releases.Review(surplus.Keys, done: h => mine?.Find(h) is null, now);
        foreach (var hash in releases)
        {
            _target.Tell(new ReleaseReplica(hash, $"{surplus[hash].Complete} complete copies of {surplus[hash].Factor} wanted"));
        }

        return new ReplicationEvaluated([.. copies], [.. releases]);
    }

    private sealed record EvaluateTick;
}
