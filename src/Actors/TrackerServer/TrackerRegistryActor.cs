using System.Net;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Clustering;
using Swarm.Actors.Configuration;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Actors.TrackerServer;

/// <summary>The tracker's index: routes each announce to one <see cref="TrackedTorrentActor"/> per info-hash (created
/// on its first announce, gone once its swarm has ended), within <c>max-torrents</c>, the share of torrents each source
/// address may create (<c>max-torrents-per-address</c>, charged to the creator while the torrent is tracked) and the
/// peer budgets (<see cref="TrackerBudgets"/>), and publishes each swarm in the <see cref="TrackedSwarmIndex"/> so that front ends
/// send later announces straight to it. With <c>swarms-on-senders-thread</c> the swarms run on the
/// <see cref="InlineDispatcher"/>: an announce is answered by the thread that sent it. Scrapes are answered from the swarms themselves; inside a cluster, each swarm is also told the members
/// holding its torrent.</summary>
public sealed class TrackerRegistryActor : HandlerActor
{
    private readonly TrackerServerSettings _settings;
    private readonly TimeProvider _clock;
    private readonly TrackerBudgets _budgets;
    private readonly AddressBudget _created;
    private readonly Dictionary<IActorRef, (InfoHash Hash, IPAddress Creator)> _tracked = [];
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<InfoHash, IActorRef> _swarms = [];
    private readonly TrackedSwarmIndex _index;
    private IReadOnlyDictionary<string, IReadOnlyList<(IPEndPoint EndPoint, bool Complete)>> _cluster = new Dictionary<string, IReadOnlyList<(IPEndPoint, bool)>>();

    public TrackerRegistryActor(TrackerServerSettings settings, TimeProvider clock, TrackedSwarmIndex index)
    {
        _settings = settings;
        _clock = clock;
        _index = index;
        _budgets = new TrackerBudgets(settings);
        _created = new AddressBudget(settings.MaxTorrentsPerAddress);
        if (settings.SwarmsOnSendersThread)
        {
            InlineDispatcher.Register(Context.System);
        }

        Receive<Announce>(a => OnAnnounce(a, Sender));
        Receive<Scrape>(OnScrape);
        Receive<GetTrackerStats>(_ => Sender.Tell(new TrackerStatsReply(_swarms.Count, _budgets.Peers.Used)));
        Receive<ClusterMessages.ClusterPeersChanged>(OnClusterPeersChanged);
        Receive<Terminated>(t =>
        {
            if (_tracked.Remove(t.ActorRef, out var ended))
            {
                _swarms.Remove(ended.Hash);
                _index.Withdraw(ended.Hash);
                _created.Give(ended.Creator);
            }
        });
    }

    /// <param name="clock">Where the swarms read the time (announce times, expiry); the system clock by default.</param>
    /// <param name="index">Where the registry publishes its swarms for the front ends; one of its own by default.</param>
    public static Props Props(TrackerServerSettings settings, TimeProvider? clock = null, TrackedSwarmIndex? index = null) =>
        Akka.Actor.Props.Create(() => new TrackerRegistryActor(settings, clock ?? TimeProvider.System, index ?? new TrackedSwarmIndex()));

    protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(ClusterMessages.ClusterPeersChanged));

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.Error("a tracked swarm failed and is restarted empty: {0}", e.Message);
        return Directive.Restart;
    });

    private void OnAnnounce(Announce a, IActorRef replyTo)
    {
        var hash = a.Request.InfoHash;
        if (!_swarms.TryGetValue(hash, out var swarm))
        {
            // Leaving a swarm the tracker does not know needs no swarm.
            if (a.Request.Event == AnnounceEvent.Stopped)
            {
                replyTo.Tell(new AnnounceAnswer(_settings.Interval, _settings.MinInterval, 0, 0, TrackerServerPeers.None));
                return;
            }

            if (_swarms.Count >= _settings.MaxTorrents)
            {
                replyTo.Tell(new AnnounceRefused($"this tracker is full ({_settings.MaxTorrents} torrents)"));
                return;
            }

            if (!_created.TryTake(a.From))
            {
                replyTo.Tell(new AnnounceRefused($"too many new torrents from {a.From} ({_settings.MaxTorrentsPerAddress}); try again later"));
                return;
            }

            var props = TrackedTorrentActor.Props(a.Request.InfoHash, _settings, _budgets, _clock);
            swarm = Context.Watch(Context.ActorOf(_settings.SwarmsOnSendersThread ? props.WithDispatcher(InlineDispatcher.DispatcherId) : props, $"swarm-{hash.Hex}"));
            _swarms[hash] = swarm;
            _tracked[swarm] = (hash, a.From);
            if (_cluster.TryGetValue(hash.Hex, out var members))
            {
                swarm.Tell(new SetClusterPeers(members));
            }

            // Published after this announce is in the swarm's mailbox: front ends sending there directly queue behind it.
            swarm.Tell(a, replyTo);
            _index.Publish(hash, swarm);
            return;
        }

        swarm.Tell(a, replyTo);
    }

    private void OnScrape(Scrape s)
    {
        var sender = Sender;
        Task.WhenAll(s.InfoHashes.Select(async h =>
            _swarms.TryGetValue(h, out var swarm)
                ? (await swarm.Ask<SwarmCountsReply>(GetSwarmCounts.Instance, _settings.AskTimeout).ConfigureAwait(false)).Counts
                : new ScrapeEntry(h, 0, 0, 0)))
            .PipeTo(sender, success: entries => new ScrapeAnswer(entries));
    }

    /// <summary>Tells each swarm whose holders changed; swarms created later get theirs on creation.</summary>
    private void OnClusterPeersChanged(ClusterMessages.ClusterPeersChanged c)
    {
        foreach (var (hash, swarm) in _swarms)
        {
            var before = _cluster.TryGetValue(hash.Hex, out var b) ? b : [];
            var after = c.Peers.TryGetValue(hash.Hex, out var a) ? a : [];
            if (!before.SequenceEqual(after))
            {
                swarm.Tell(new SetClusterPeers(after));
            }
        }

        _cluster = c.Peers;
    }
}
