using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Configuration;
using Swarm.Actors.Torrent;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Actors.ConsoleEndpoint;

/// <summary>The node's console endpoint (at /user/console in the console actor system): checks the secret of every
/// request and hands its command to the conversation that answers it. One rule for every request: its conversation
/// with the node's actors runs as one task whose answer is piped to the requester, so a slow command never delays
/// another console and the endpoint keeps no state per request; every ask in it is bounded by the command timeout.
/// Wrong secrets are answered late, per requester (<see cref="SecretThrottle"/>), and logged once per burst.</summary>
public sealed class ConsoleEndpointActor : HandlerActor, IWithTimers
{
    private readonly byte[] _secret;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TorrentConversations _torrents;
    private readonly ClusterConversations _cluster;
    private readonly NodeConversations _node;
    private readonly ConsoleNodeInfo _info;
    private SecretThrottle _throttle;
    private long _lateAnswers;

    /// <param name="guard">How wrong secrets are slowed down; null = the node's <c>swarm.console.wrong-secret</c>.</param>
    public ConsoleEndpointActor(IActorRef node, ConsoleNodeInfo info, ConsoleSettings settings, string secret, ConsoleGuardSettings? guard = null)
    {
        _info = info;
        _throttle = new SecretThrottle(guard ?? GuardOf(info));
        _secret = Encoding.UTF8.GetBytes(secret);
        var queries = new NodeQueries(node, settings.CommandTimeout);
        _torrents = new TorrentConversations(queries, info);
        _cluster = new ClusterConversations(queries);
        _node = new NodeConversations(queries, _cluster, info, _log);
        Receive<ConsoleRequest>(r =>
        {
            var who = RequesterKey();
            if (!_throttle.Admits(who))
            {
                // Its earlier wrong secrets are still waiting for their answers: this one is not even checked.
                _throttle = _throttle.RefusedUnchecked(who);
                Sender.Tell(new Refused("too many wrong console secrets from this address; try again later"));
                return;
            }

            if (!SecretMatches(r.Secret))
            {
                (_throttle, var delay, var burstStarts) = _throttle.Wrong(who, info.Clock.GetUtcNow());
                if (burstStarts)
                {
                    _log.Warning(
                        "console request from {0} refused: {1} secret; further wrong secrets from {2} are answered ever later (up to {3:0.#} s) and logged once when they stop",
                        Requester(),
                        r.Secret.Length == 0 ? "no" : "wrong",
                        who,
                        _throttle.Settings.MaxDelay.TotalSeconds);
                }

                var refused = new Refused(r.Secret.Length == 0
                    ? "this node requires a console secret (--secret or SWARM_CONSOLE_SECRET)"
                    : "wrong console secret");
                Timers.StartSingleTimer($"late-{++_lateAnswers}", new AnswerLate(who, Sender, refused), delay);
                return;
            }

            _log.Debug("console: {0}", r.Command);
            Execute(r.Command).PipeTo(Sender, failure: e => new CommandFailed(Describe(e)));
        });
        Receive<AnswerLate>(a =>
        {
            a.ReplyTo.Tell(a.Reply);
            _throttle = _throttle.Answered(a.Requester);
        });
        Receive<SweepBursts>(_ =>
        {
            (_throttle, var ended) = _throttle.Sweep(info.Clock.GetUtcNow());
            foreach (var burst in ended.Where(b => b.WrongSecrets + b.RefusedUnchecked > 1))
            {
                _log.Warning(
                    "console: {0} wrong secret(s) from {1} in {2:0} s ({3} more refused unchecked); it has stopped",
                    burst.WrongSecrets,
                    burst.Requester,
                    (burst.Last - burst.Start).TotalSeconds,
                    burst.RefusedUnchecked);
            }
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <param name="guard">null = the node's <c>swarm.console.wrong-secret</c> block.</param>
    public static Props Props(IActorRef node, ConsoleNodeInfo info, ConsoleSettings settings, string secret, ConsoleGuardSettings? guard = null) =>
        Akka.Actor.Props.Create(() => new ConsoleEndpointActor(node, info, settings, secret, guard));

    protected override void PreStart() => Timers.StartPeriodicTimer("sweep", new SweepBursts(), _throttle.Settings.QuietAfter);

    /// <summary>The node's own settings (the endpoint runs in the console's system, whose configuration has no swarm block).</summary>
    private static ConsoleGuardSettings GuardOf(ConsoleNodeInfo info) =>
        info.NodeSystem.Settings.Config.GetConfig("swarm") is { IsEmpty: false } swarm ? ConsoleGuardSettings.From(swarm) : ConsoleGuardSettings.Default;

    /// <summary>Who sent the request being handled: its connection's real source when remoting saw one, else only the
    /// address it declares.</summary>
    private string Requester()
    {
        var declared = Sender.Path.Address;
        if (declared.Host is null)
        {
            // Asked from inside the node's process: the local socket's consoles (issue 14) come this way.
            return "this machine (local socket)";
        }

        return _info.ConnectionSourceOf(declared) is { } source ? $"{source} (declaring {declared})" : $"{declared} (as declared)";
    }

    /// <summary>What wrong secrets are counted by: the source IP of the connection (a console picks a new port, and
    /// may declare any address, at each run), else the declared host, else "local" for a sender in this process.</summary>
    private string RequesterKey()
    {
        var declared = Sender.Path.Address;
        if (_info.ConnectionSourceOf(declared) is { } source)
        {
            return System.Net.IPEndPoint.TryParse(source, out var ep) ? ep.Address.ToString() : source;
        }

        return declared.Host ?? "local";
    }

    private bool SecretMatches(string presented) =>
        _secret.Length == 0 || CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _secret);

    /// <summary>Async so that anything a command throws, even before its first ask, ends as its failure reply.</summary>
    private async Task<IConsoleReply> Execute(IConsoleCommand command) => await (command switch
    {
        GetNodeStatus => _node.Status(),
        SetLogLevel l => Task.FromResult(_node.SetLogLevel(l.Level)),
        Shutdown => Task.FromResult(_node.Shutdown()),
        ListNodeTorrents => _torrents.List(),
        AddTorrentFile a => _torrents.Add(a),
        AddByLink l => _torrents.AddByLink(l),
        PauseTorrent p => _torrents.ChangeState(p.Torrent, new TorrentMessages.Pause("paused from the console"), "paused"),
        ResumeTorrent r => _torrents.ChangeState(r.Torrent, new TorrentMessages.Resume(), "resumed"),
        RecheckTorrent r => _torrents.ChangeState(r.Torrent, new TorrentMessages.Recheck(), "re-checking"),
        RemoveNodeTorrent r => _torrents.Remove(r),
        ShowTorrent s => _torrents.Show(s.Torrent),
        ListPeers p => _torrents.Peers(p.Torrent),
        SetLimits l => _torrents.Limit(l),
        GetCluster => _cluster.Members(),
        Search q => _cluster.Search(q.Words),
        ListClusterTorrents => _cluster.Torrents(),
        Replicas r => _cluster.Replicas(r),
        GetDht => _node.DhtCommand(),
        _ => Task.FromResult<IConsoleReply>(new CommandFailed($"this node does not know the command {command.GetType().Name}")),
    }).ConfigureAwait(false);

    private sealed record AnswerLate(string Requester, IActorRef ReplyTo, Refused Reply);

    private sealed record SweepBursts;

    private static string Describe(Exception e) => e switch
    {
        ConsoleCommandException c => c.Message,
        AggregateException { InnerException: { } inner } => Describe(inner),
        AskTimeoutException => "the node did not answer in time",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
