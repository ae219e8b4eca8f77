using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using static Swarm.Actors.Clustering.ClusterMessages;

namespace Swarm.Actors.Clustering;

/// <summary>Keeps every torrent of the cluster at its replication factor, from this member's side: on every view
/// change and every second it runs <see cref="ReplicationPlanner"/>, and when this member is chosen for a torrent that
/// has stayed short for <c>replication-stable-after</c> (so that a member restarting or a view still converging does
/// not trigger copies), it asks <paramref name="target"/> for a copy with <see cref="Replicate"/>. A request is repeated
/// only after <c>replication-retry-after</c> if the copy has not shown up in the gossip by then. Likewise, when this
/// member is chosen to release a surplus replica and the surplus has lasted <c>release-surplus-after</c>, it sends
/// <see cref="ReleaseReplica"/> (if <c>release-surplus</c> is on).</summary>
public sealed class ReplicationActor : ReceiveActor, IWithTimers
{
    private readonly IActorRef _target;
    private readonly ClusterSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, DateTime> _shortSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _requested = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _surplusSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTime> _releaseAsked = new(StringComparer.Ordinal);
    private ClusterView? _view;

    public ReplicationActor(IActorRef target, ClusterSettings settings)
    {
        _target = target;
        _settings = settings;
        // Views arrive on every gossip change (many per second while torrents are added); the plan runs once a second.
        Receive<ClusterView>(v => _view = v);
        Receive<EvaluateTick>(_ => Evaluate());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef target, ClusterSettings settings) => Akka.Actor.Props.Create(() => new ReplicationActor(target, settings));

    protected override void PreStart() => Timers.StartPeriodicTimer("evaluate", new EvaluateTick(), TimeSpan.FromSeconds(1));

    private void Evaluate()
    {
        if (_view is null)
        {
            return;
        }

        var now = DateTime.UtcNow;
        var mine = _view.Members.FirstOrDefault(m => m.Member == _view.Self)?.Holdings;
        var plans = ReplicationPlanner.Plan(_view.Members, _view.ReplicationFactors, _settings.ReplicationFactor);
        var ours = plans.Where(p => p.Chosen.Contains(_view.Self)).ToList();
        foreach (var gone in _shortSince.Keys.Except(ours.Select(p => p.InfoHash)).ToList())
        {
            _shortSince.Remove(gone);
        }

        foreach (var held in _requested.Keys.Where(h => mine?.Find(h) is not null).ToList())
        {
            _requested.Remove(held);
        }

        foreach (var plan in ours)
        {
            if (!_shortSince.TryGetValue(plan.InfoHash, out var since))
            {
                _shortSince[plan.InfoHash] = since = now;
            }

            if (now - since < _settings.ReplicationStableAfter
                || (_requested.TryGetValue(plan.InfoHash, out var asked) && now - asked < _settings.ReplicationRetryAfter))
            {
                continue;
            }

            _requested[plan.InfoHash] = now;
            var why = $"{plan.Complete} complete and {plan.InProgress} partial cop{(plan.Complete + plan.InProgress == 1 ? "y" : "ies")} of {plan.Factor} wanted";
            _log.Warning("torrent {0}: {1}; this member adds one", plan.InfoHash[..Math.Min(8, plan.InfoHash.Length)], why);
            _target.Tell(new Replicate(plan.InfoHash, why));
        }

        Release(plans, mine, now);
    }

    private void Release(IReadOnlyList<ReplicaPlan> plans, MemberHoldings? mine, DateTime now)
    {
        var ours = _settings.ReleaseSurplus ? plans.Where(p => p.Released.Contains(_view!.Self)).ToList() : [];
        foreach (var gone in _surplusSince.Keys.Except(ours.Select(p => p.InfoHash)).ToList())
        {
            _surplusSince.Remove(gone);
        }

        foreach (var released in _releaseAsked.Keys.Where(h => mine?.Find(h) is null).ToList())
        {
            _releaseAsked.Remove(released);
        }

        foreach (var plan in ours)
        {
            if (!_surplusSince.TryGetValue(plan.InfoHash, out var since))
            {
                _surplusSince[plan.InfoHash] = since = now;
            }

            if (now - since < _settings.ReleaseSurplusAfter
                || (_releaseAsked.TryGetValue(plan.InfoHash, out var asked) && now - asked < _settings.ReplicationRetryAfter))
            {
                continue;
            }

            _releaseAsked[plan.InfoHash] = now;
            _target.Tell(new ReleaseReplica(plan.InfoHash, $"{plan.Complete} complete copies of {plan.Factor} wanted"));
        }
    }

    private sealed record EvaluateTick;
}
