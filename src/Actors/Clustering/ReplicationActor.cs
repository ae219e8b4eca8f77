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
    private readonly SettledAction _copies;
    private readonly SettledAction _releases;
    private ClusterView? _view;

    public ReplicationActor(IActorRef target, ClusterSettings settings)
    {
        _target = target;
        _settings = settings;
        _copies = new SettledAction(settings.ReplicationStableAfter, settings.ReplicationRetryAfter);
        _releases = new SettledAction(settings.ReleaseSurplusAfter, settings.ReplicationRetryAfter);
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

        var shortOf = plans.Where(p => p.Chosen.Contains(_view.Self)).ToDictionary(p => p.InfoHash, StringComparer.Ordinal);
        foreach (var hash in _copies.Due(shortOf.Keys, done: h => mine?.Find(h) is not null, now))
        {
            var plan = shortOf[hash];
            var why = $"{plan.Complete} complete and {plan.InProgress} partial cop{(plan.Complete + plan.InProgress == 1 ? "y" : "ies")} of {plan.Factor} wanted";
            _log.Warning("torrent {0}: {1}; this member adds one", hash[..Math.Min(8, hash.Length)], why);
            _target.Tell(new Replicate(hash, why));
        }

        var surplus = _settings.ReleaseSurplus
            ? plans.Where(p => p.Released.Contains(_view.Self)).ToDictionary(p => p.InfoHash, StringComparer.Ordinal)
            : [];
        foreach (var hash in _releases.Due(surplus.Keys, done: h => mine?.Find(h) is null, now))
        {
            _target.Tell(new ReleaseReplica(hash, $"{surplus[hash].Complete} complete copies of {surplus[hash].Factor} wanted"));
        }
    }

    /// <summary>One kind of action per torrent (add a copy, release one) that must be wanted for <paramref name="settle"/>
    /// before it is taken, and is taken again only after <paramref name="retry"/> unless its effect shows up first.</summary>
    private sealed class SettledAction(TimeSpan settle, TimeSpan retry)
    {
        private readonly Dictionary<string, DateTime> _wantedSince = new(StringComparer.Ordinal);
        private readonly Dictionary<string, DateTime> _takenAt = new(StringComparer.Ordinal);

        /// <param name="wanted">The torrents this member is chosen for now.</param>
        /// <param name="done">Whether the action's effect shows in this member's holdings (then it may be taken anew).</param>
        public List<string> Due(IEnumerable<string> wanted, Func<string, bool> done, DateTime now)
        {
            var current = wanted.ToList();
            foreach (var gone in _wantedSince.Keys.Except(current).ToList())
            {
                _wantedSince.Remove(gone);
            }

            foreach (var finished in _takenAt.Keys.Where(done).ToList())
            {
                _takenAt.Remove(finished);
            }

            var due = new List<string>();
            foreach (var hash in current)
            {
                if (!_wantedSince.TryGetValue(hash, out var since))
                {
                    _wantedSince[hash] = since = now;
                }

                if (now - since >= settle && !(_takenAt.TryGetValue(hash, out var at) && now - at < retry))
                {
                    _takenAt[hash] = now;
                    due.Add(hash);
                }
            }

            return due;
        }
    }

    private sealed record EvaluateTick;
}
