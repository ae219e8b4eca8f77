using System.Net;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;

namespace Swarm.Actors.TrackerClient;

/// <summary>Announces one torrent to its trackers (BEP 12 tiers: the first tracker of a tier that answers
/// is moved to the front) and hands the peers it learns to the torrent.</summary>
public sealed class TrackerClientActor : ReceiveActor, IWithTimers
{
    internal static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
    private readonly List<List<string>> _tiers;
    private readonly InfoHash _infoHash;
    private readonly NodeContext _node;
    private readonly TrackerSettings _settings;
    private readonly TrackerAnnouncer _client;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _cts = new();
    private readonly uint _key = (uint)Random.Shared.Next();
    private Messages.Progress _progress = new(0, 0, 0);
    private bool _announcing;
    private bool _started;
    private AnnounceEvent _pendingEvent = AnnounceEvent.Started;

    public TrackerClientActor(InfoHash infoHash, IReadOnlyList<IReadOnlyList<string>> tiers, NodeContext node)
    {
        _infoHash = infoHash;
        _node = node;
        _settings = node.Settings.Tracker;
        _client = new TrackerAnnouncer(_settings, Http);
        _tiers = tiers.Select(t => t.OrderBy(_ => Random.Shared.Next()).ToList()).ToList();

        Receive<Messages.Progress>(p => _progress = p);
        Receive<Messages.AnnounceNow>(a =>
        {
            if (a.Event != AnnounceEvent.None)
            {
                _pendingEvent = a.Event;
            }

            Announce();
        });
        Receive<Messages.Result>(OnResult);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(InfoHash infoHash, IReadOnlyList<IReadOnlyList<string>> tiers, NodeContext node) =>
        Akka.Actor.Props.Create(() => new TrackerClientActor(infoHash, tiers, node));

    protected override void PreStart()
    {
        // Spread the first announces of torrents that start together.
        var delay = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * _settings.StartupStagger.TotalMilliseconds);
        Timers.StartSingleTimer("announce", new Messages.AnnounceNow(AnnounceEvent.None), delay);
    }

    protected override void PostStop()
    {
        _cts.Cancel();
        if (_started && _tiers.Count > 0 && _tiers[0].Count > 0)
        {
            // Best effort: tell the tracker we left, without holding up shutdown.
            // The token source lives until the announce ends: disposing it here would cancel its 2 s timer.
            var request = Request(AnnounceEvent.Stopped);
            var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            _ = _client.AnnounceAsync(_tiers[0][0], request, quick.Token).ContinueWith(_ => quick.Dispose(), TaskScheduler.Default);
        }

        _cts.Dispose();
    }

    private AnnounceRequest Request(AnnounceEvent e) =>
        new(_infoHash, _node.PeerId, _node.ListenPort, _progress.Uploaded, _progress.Downloaded, _progress.Left, e, _settings.NumWant, _key);

    private void Announce()
    {
        if (_announcing || _tiers.Count == 0)
        {
            return;
        }

        _announcing = true;
        var e = _pendingEvent;
        var request = Request(e);
        var tiers = _tiers.Select(t => t.ToList()).ToList();
        var ct = _cts.Token;
        RunAsync(tiers, request, ct).PipeTo(Self);
    }

    private async Task<Messages.Result> RunAsync(List<List<string>> tiers, AnnounceRequest request, CancellationToken ct)
    {
        var errors = new List<string>();
        for (var t = 0; t < tiers.Count; t++)
        {
            foreach (var url in tiers[t])
            {
                try
                {
                    var response = await _client.AnnounceAsync(url, request, ct).ConfigureAwait(false);
                    return new Messages.Result(t, url, request.Event, response, null);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    errors.Add($"{url}: {e.Message}");
                }
            }
        }

        return new Messages.Result(-1, null, request.Event, null, string.Join("; ", errors));
    }

    private void OnResult(Messages.Result r)
    {
        _announcing = false;
        TimeSpan next;
        if (r.Response is { } response)
        {
            _started = true;
            if (r.Event == _pendingEvent)
            {
                _pendingEvent = AnnounceEvent.None;
            }

            // BEP 12: the tracker that answered moves to the front of its tier.
            var tier = _tiers[r.Tier];
            tier.Remove(r.Url!);
            tier.Insert(0, r.Url!);
            _log.Info("torrent {0}: tracker {1} gave {2} peers", _infoHash.Hex[..8], r.Url, response.Peers.Count);
            Context.Parent.Tell(new Messages.PeersFound(response.Peers, $"tracker {r.Url}"));
            // An empty swarm is asked again soon: the tracker's interval (opentracker: 30 min) is too long to wait alone.
            next = response.Peers.Count == 0 ? _settings.RetryInterval : Max(response.Interval, _settings.MinInterval);

            Context.Parent.Tell(new Messages.TrackerStatus(r.Url!, null, DateTime.UtcNow + next));
        }
        else
        {
            next = _settings.RetryInterval;
            _log.Warning("torrent {0}: announce failed: {1}", _infoHash.Hex[..8], r.Error);
            Context.Parent.Tell(new Messages.TrackerStatus(null, r.Error, DateTime.UtcNow + next));
        }

        Timers.StartSingleTimer("announce", new Messages.AnnounceNow(AnnounceEvent.None), next);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public static class Messages
    {
        public sealed record Progress(long Uploaded, long Downloaded, long Left);

        public sealed record AnnounceNow(AnnounceEvent Event);

        public sealed record PeersFound(IReadOnlyList<IPEndPoint> Peers, string Source);

        public sealed record TrackerStatus(string? Url, string? Error, DateTime NextAnnounce);

        internal sealed record Result(int Tier, string? Url, AnnounceEvent Event, AnnounceResponse? Response, string? Error);
    }
}
