using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Swarm.Actors.Configuration;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.TrackerClient.TrackerClientMessages;

namespace Swarm.Actors.TrackerClient;

/// <summary>Announces one torrent to its trackers (BEP 12 tiers, see <see cref="AnnounceTiers"/>) and hands the peers
/// it learns to the torrent. Idle between rounds; one round at a time. It announces the figures its torrent gives it:
/// asked for as it starts (<see cref="TransferProgressWanted"/>), then told when they change.</summary>
public sealed class TrackerClientActor : HandlerActor, IWithTimers
{
    /// <summary>Unbound announces (no `--bind` address, local trackers allowed); see <see cref="TrackerHttp"/>.</summary>
    internal static readonly HttpClient Http = TrackerHttp.For(null, refuseLocal: false);
    private const string AnnounceTimer = "announce";
    private readonly InfoHash _infoHash;
    private readonly NodeContext _node;
    private readonly IActorRef _torrent;
    private readonly TrackerSettings _settings;
    private readonly TrackerAnnouncer _client;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cts = new();
    private readonly uint _key = (uint)Random.Shared.Next();
    private AnnounceTiers _tiers;
    /// <summary>The torrent's figures; null until it answers <see cref="TransferProgressWanted"/>.</summary>
    private TransferProgress? _progress;

    /// <summary>A round is due but waits for the torrent's figures.</summary>
    private bool _announceDue;
    private bool _answeredOnce;
    private AnnounceEvent _pendingEvent = AnnounceEvent.Started;

    /// <param name="torrent">Receives <see cref="PeersFound"/> and <see cref="AnnounceReported"/> (named, not the parent:
    /// the parent is the backoff supervisor).</param>
    public TrackerClientActor(InfoHash infoHash, IReadOnlyList<IReadOnlyList<string>> tiers, NodeContext node, IActorRef torrent)
    {
        _infoHash = infoHash;
        _node = node;
        _torrent = torrent;
        _settings = node.Settings.Tracker;
        _client = new TrackerAnnouncer(_settings, Http, node.Clock);
        _tiers = AnnounceTiers.Shuffled(tiers, Random.Shared);
        Idle();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(InfoHash infoHash, IReadOnlyList<IReadOnlyList<string>> tiers, NodeContext node, IActorRef torrent) =>
        Akka.Actor.Props.Create(() => new TrackerClientActor(infoHash, tiers, node, torrent));

    /// <summary>The tracker client under a backoff supervisor named <paramref name="childName"/>: a client that throws is
    /// started again after restart-min-backoff, doubling up to restart-max-backoff, so a tracker answer that trips a bug
    /// cannot spin in a restart loop. Messages to the supervisor reach the client.</summary>
    public static Props Supervised(InfoHash infoHash, IReadOnlyList<IReadOnlyList<string>> tiers, NodeContext node, IActorRef torrent, string childName)
    {
        var s = node.Settings.Tracker;
        return BackoffSupervisor.Props(
            Backoff.OnFailure(Props(infoHash, tiers, node, torrent), childName, s.RestartMinBackoff, s.RestartMaxBackoff, s.RestartRandomFactor, -1)
                // Every failure restarts (with backoff); the default would stop for good on a failure in the constructor.
                .WithSupervisorStrategy(new OneForOneStrategy(-1, -1, _ => Directive.Restart, true)));
    }

    protected override void PreStart()
    {
        // Also after a restart: this instance knows nothing, and announcing left=0 would tell the tracker we seed.
        _torrent.Tell(TransferProgressWanted.Instance);
        // Spread the first announces of torrents that start together.
        var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * _settings.StartupStagger.TotalMilliseconds);
        Timers.StartSingleTimer(AnnounceTimer, new AnnounceNow(AnnounceEvent.None), delay);
    }

    protected override void PostStop()
    {
        _cts.Cancel();
        if (_answeredOnce && _tiers.First is { } first && _progress is not null)
        {
            // Best effort: tell the tracker we left, without holding up shutdown.
            // The token source lives until the announce ends: disposing it here would cancel its timer.
            var quick = new CancellationTokenSource(_settings.StoppedTimeout);
            _ = _client.AnnounceAsync(first, Request(AnnounceEvent.Stopped), quick.Token).ContinueWith(_ => quick.Dispose(), TaskScheduler.Default);
        }

        _cts.Dispose();
    }

    /// <summary>Between rounds: waits for its timer or the torrent.</summary>
    private void Idle()
    {
        Receive<TransferProgress>(p =>
        {
            _progress = p;
            if (_announceDue)
            {
                _announceDue = false;
                StartRound();
            }
        });
        Receive<AnnounceNow>(a =>
        {
            Remember(a.Event);
            if (_progress is null)
            {
                _announceDue = true;
            }
            else
            {
                StartRound();
            }
        });
    }

    private void StartRound()
    {
        if (_tiers.Tiers.Length > 0)
        {
            var request = Request(_pendingEvent);
            RunAsync(_tiers, request, _cts.Token).PipeTo(Self);
            Become(Announcing);
        }
    }

    /// <summary>A round is running; an event asked for meanwhile goes with the next one.</summary>
    private void Announcing()
    {
        Receive<TransferProgress>(p => _progress = p);
        Receive<AnnounceNow>(a => Remember(a.Event));
        Receive<AnnounceRoundEnded>(OnRoundEnded);
    }

    private void Remember(AnnounceEvent e)
    {
        if (e != AnnounceEvent.None)
        {
            _pendingEvent = e;
        }
    }

    /// <summary>Only once the torrent's figures are known (see <see cref="_progress"/>).</summary>
    private AnnounceRequest Request(AnnounceEvent e) =>
        new(_infoHash, _node.PeerId, _node.ListenPort, _progress!.Uploaded, _progress.Downloaded, _progress.Left, e, _settings.NumWant, _key);

    private async Task<AnnounceRoundEnded> RunAsync(AnnounceTiers tiers, AnnounceRequest request, CancellationToken ct)
    {
        var errors = new List<string>();
        for (var t = 0; t < tiers.Tiers.Length; t++)
        {
            foreach (var url in tiers.Tiers[t])
            {
                try
                {
                    var response = await _client.AnnounceAsync(url, request, ct).ConfigureAwait(false);
                    return new AnnounceRoundEnded(t, url, request.Event, response, null);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    errors.Add($"{url}: {e.Message}");
                }
            }
        }

        return new AnnounceRoundEnded(-1, null, request.Event, null, string.Join("; ", errors));
    }

    private void OnRoundEnded(AnnounceRoundEnded r)
    {
        var next = AnnounceSchedule.Next(r.Response, _settings);
        var nextAt = _node.Clock.GetUtcNow().UtcDateTime + next;
        if (r.Response is { } response && r.Url is { } url)
        {
            _answeredOnce = true;
            if (r.Event == _pendingEvent)
            {
                _pendingEvent = AnnounceEvent.None;
            }

            _tiers = _tiers.Answered(r.Tier, url);
            _log.Info("torrent {0}: tracker {1} gave {2} peers", _infoHash.Hex[..8], url, response.Peers.Count);
            _torrent.Tell(new PeersFound(response.Peers));
            _torrent.Tell(new AnnounceReported(url, null, nextAt));
        }
        else
        {
            _log.Info("torrent {0}: announce failed: {1}", _infoHash.Hex[..8], r.Error);
            _torrent.Tell(new AnnounceReported(null, r.Error, nextAt));
        }

        Timers.StartSingleTimer(AnnounceTimer, new AnnounceNow(AnnounceEvent.None), next);
        Become(Idle);
    }
}
