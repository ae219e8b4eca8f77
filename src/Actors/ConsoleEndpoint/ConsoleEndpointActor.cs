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
/// another console and the endpoint keeps no state per request; every ask in it is bounded by the command timeout.</summary>
public sealed class ConsoleEndpointActor : ReceiveActor
{
    private readonly byte[] _secret;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TorrentConversations _torrents;
    private readonly ClusterConversations _cluster;
    private readonly NodeConversations _node;

    public ConsoleEndpointActor(IActorRef node, ConsoleNodeInfo info, ConsoleSettings settings, string secret)
    {
        _secret = Encoding.UTF8.GetBytes(secret);
        var queries = new NodeQueries(node, settings.CommandTimeout);
        _torrents = new TorrentConversations(queries, info);
        _cluster = new ClusterConversations(queries);
        _node = new NodeConversations(queries, _cluster, info, _log);
        Receive<ConsoleRequest>(r =>
        {
            if (!SecretMatches(r.Secret))
            {
                _log.Warning("console request from {0} refused: {1} secret", Requester(info), r.Secret.Length == 0 ? "no" : "wrong");
                Sender.Tell(new Refused(r.Secret.Length == 0
                    ? "this node requires a console secret (--secret or SWARM_CONSOLE_SECRET)"
                    : "wrong console secret"));
                return;
            }

            _log.Debug("console: {0}", r.Command);
            Execute(r.Command).PipeTo(Sender, failure: e => new CommandFailed(Describe(e)));
        });
    }

    public static Props Props(IActorRef node, ConsoleNodeInfo info, ConsoleSettings settings, string secret) =>
        Akka.Actor.Props.Create(() => new ConsoleEndpointActor(node, info, settings, secret));

    /// <summary>Who sent the request being handled: its connection's real source when remoting saw one, else only the
    /// address it declares.</summary>
    private string Requester(ConsoleNodeInfo info)
    {
        var declared = Sender.Path.Address;
        return info.ConnectionSourceOf(declared) is { } source ? $"{source} (declaring {declared})" : $"{declared} (as declared)";
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
        _ => Task.FromResult<IConsoleReply>(new CommandFailed($"this node does not know the command {command.GetType().Name}")),
    }).ConfigureAwait(false);

    private static string Describe(Exception e) => e switch
    {
        ConsoleCommandException c => c.Message,
        AggregateException { InnerException: { } inner } => Describe(inner),
        AskTimeoutException => "the node did not answer in time",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
