using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Peers;
using Swarm.Actors.Pieces;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using Swarm.Protocol.WebSeeds;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.WebSeeds.WebSeedMessages;

namespace Swarm.Actors.WebSeeds;

/// <param name="Key">Its key in the torrent (from the same sequence as peer connections: the picker tells them apart).</param>
/// <param name="Torrent">Where blocks, requests for work and reports go (the parent torrent).</param>
public sealed record WebSeedArgs(int Key, string Url, TorrentMetainfo Meta, IActorRef Torrent, NodeContext Node, int BlockLength, HttpClient Http);

/// <summary>One web seed (BEP 19) of a torrent: takes blocks from the torrent's picker like a peer that has every
/// piece, fetches them in rounds of HTTP Range requests (a task; the bytes come back as messages), and hands each block
/// to the torrent as a peer's block, so pieces are verified, and a lying seed banned, exactly like a peer. A failed
/// round gives its blocks back and backs off exponentially on the node's clock.</summary>
public sealed class WebSeedActor : HandlerActor, IWithTimers
{
    private readonly WebSeedArgs _args;
    private readonly WebSeedSettings _settings;
    private readonly WebSeedFetcher _fetcher;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    /// <summary>Blocks of the current round not yet handed to the torrent, in content order.</summary>
    private readonly List<BlockRef> _pending = [];
    private WebSeedBackoff _backoff;
    private CancellationTokenSource? _roundCancel;
    private int _round;
    private bool _asking;
    private string _state = "idle";
    private string? _error;
    private long _downloaded;
    private RateMeter _rate = RateMeter.Zero;
    private long _lastSample;

    public WebSeedActor(WebSeedArgs args)
    {
        _args = args;
        _settings = args.Node.Settings.WebSeeds;
        _fetcher = new WebSeedFetcher(args.Http, args.Meta, args.Url, _settings.MaxRedirects);
        _backoff = new WebSeedBackoff(_settings.BackoffInitial, _settings.BackoffMax);
        _lastSample = args.Node.Clock.GetTimestamp();
        Receive<WebSeedTick>(_ => OnTick());
        Receive<BlocksAssigned>(OnAssigned);
        Receive<RunFetched>(OnRunFetched);
        Receive<RoundEnded>(OnRoundEnded);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private DateTimeOffset Now => _args.Node.Clock.GetUtcNow();

    public static Props Props(WebSeedArgs args) => Akka.Actor.Props.Create(() => new WebSeedActor(args));

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("tick", WebSeedTick.Instance, _settings.CheckInterval);
        AskForWork();
    }

    protected override void PostStop() => CancelRound();

    private void OnTick()
    {
        var elapsed = _args.Node.Clock.GetElapsedTime(_lastSample);
        _lastSample = _args.Node.Clock.GetTimestamp();
        if (elapsed > TimeSpan.Zero)
        {
            _rate = _rate.Sample(_downloaded, 0, elapsed);
        }

        if (_state != "fetching")
        {
            AskForWork();
        }

        Report();
    }

    private void AskForWork()
    {
        if (_asking || _backoff.IsWaiting(Now))
        {
            return;
        }

        // At least one whole piece per round, so a piece is never split between a seed's rounds.
        var bytes = Math.Max(_settings.RequestBytes, _args.Meta.PieceLength);
        _asking = true;
        _args.Torrent.Tell(new WebSeedNeedsBlocks(_args.Key, Math.Max(1, bytes / _args.BlockLength)));
    }

    private void OnAssigned(BlocksAssigned a)
    {
        _asking = false;
        if (a.Blocks.Count == 0)
        {
            SetState(_backoff.RetryAt is null ? "idle" : "backing off");
            return;
        }

        _pending.Clear();
        _pending.AddRange(a.Blocks.OrderBy(Offset));
        var runs = RangePlanner.Runs(_pending.Select(b => (Offset(b), b.Length)), Math.Max(_settings.RequestBytes, _args.Meta.PieceLength));
        var round = ++_round;
        CancelRound();
        _roundCancel = new CancellationTokenSource(_settings.RequestTimeout, _args.Node.Clock);
        var ct = _roundCancel.Token;
        var self = Self;
        var fetcher = _fetcher;
        var timeout = _settings.RequestTimeout;
        SetState("fetching");
        _ = Task.Run(async () =>
        {
            try
            {
                foreach (var run in runs)
                {
                    var buffer = new byte[run.Length];
                    await fetcher.FetchRun(run, buffer, ct).ConfigureAwait(false);
                    self.Tell(new RunFetched(round, run, buffer));
                }

                self.Tell(new RoundEnded(round, null));
            }
            catch (WebSeedFetchException e)
            {
                self.Tell(new RoundEnded(round, e.Message));
            }
            catch (OperationCanceledException)
            {
                self.Tell(new RoundEnded(round, $"no complete answer within {timeout.TotalSeconds:0.#}s (slow server)"));
            }
#pragma warning disable CA1031 // whatever breaks in a round is that seed's failure, reported like any other
            catch (Exception e)
#pragma warning restore CA1031
            {
                self.Tell(new RoundEnded(round, $"{e.GetType().Name}: {e.Message}"));
            }
        });
    }

    private void OnRunFetched(RunFetched f)
    {
        if (f.Round != _round)
        {
            return;
        }

        _downloaded += f.Run.Length;
        for (var i = 0; i < _pending.Count;)
        {
            var b = _pending[i];
            var at = Offset(b) - f.Run.Offset;
            if (at < 0 || at + b.Length > f.Run.Length)
            {
                i++;
                continue;
            }

            var data = BlockBuffers.Rent(b.Length, out var pooled);
            f.Data.AsSpan((int)at, b.Length).CopyTo(data);
            _args.Torrent.Tell(new BlockArrived(_args.Key, b.Piece, b.Begin, data, pooled));
            _pending.RemoveAt(i);
        }
    }

    private void OnRoundEnded(RoundEnded e)
    {
        if (e.Round != _round)
        {
            return;
        }

        CancelRound();
        if (e.Error is null)
        {
            _backoff = _backoff.Succeeded();
            _error = null;
            SetState("idle");
            AskForWork();
            return;
        }

        if (_pending.Count > 0)
        {
            _args.Torrent.Tell(new ReleaseBlocks(_args.Key, [.. _pending]));
            _pending.Clear();
        }

        _backoff = _backoff.Failed(Now);
        _error = e.Error;
        _log.Warning("web seed {0}: {1}; retrying in {2:0.#}s", _args.Url, e.Error, (_backoff.RetryAt!.Value - Now).TotalSeconds);
        SetState("backing off");
    }

    private long Offset(BlockRef b) => ((long)b.Piece * _args.Meta.PieceLength) + b.Begin;

    private void CancelRound()
    {
        if (_roundCancel is not null)
        {
            _roundCancel.Cancel();
            _roundCancel.Dispose();
            _roundCancel = null;
        }
    }

    private void SetState(string state)
    {
        var changed = state != _state;
        _state = state;
        if (changed)
        {
            Report();
        }
    }

    private void Report() => _args.Torrent.Tell(new WebSeedReport(
        _args.Key,
        new WebSeedStatus(_args.Url, _state, _downloaded, _rate.DownloadRate, _error, _state == "backing off" ? _backoff.RetryAt : null)));
}
