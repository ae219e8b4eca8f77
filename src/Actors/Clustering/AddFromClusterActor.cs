using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Catalog;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Clustering.ClusterMessages;

namespace Swarm.Actors.Clustering;

/// <summary>One add from the cluster, as a conversation: asks the holders for the torrent's metainfo one after the other
/// (complete copies first), refuses metainfo that does not hash to the info-hash, adds the torrent to the local catalog
/// with the holders as its first peers, answers, and stops. A replica (a copy resilient seeding asked for) is logged
/// instead of answered.</summary>
public sealed class AddFromClusterActor : HandlerActor
{
    private readonly AddFromCluster _request;
    private readonly bool _replica;
    private readonly AddSources _sources;
    private readonly IActorRef _catalog;
    private readonly TimeSpan _timeout;
    private readonly IActorRef _replyTo;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<string> _failures = [];
    private int _next;

    /// <param name="replica">A copy for resilient seeding: journaled as a replica, and its outcome is logged.</param>
    /// <param name="sources">The holders to ask, from this member's view (<see cref="MembershipView.SourcesFor"/>).</param>
    /// <param name="catalog">The local catalog, which adds the torrent.</param>
    /// <param name="timeout">For each holder's answer, and for the catalog's.</param>
    /// <param name="replyTo">Who gets the outcome (not used for a replica).</param>
    public AddFromClusterActor(AddFromCluster request, bool replica, AddSources sources, IActorRef catalog, TimeSpan timeout, IActorRef replyTo)
    {
        _request = request;
        _replica = replica;
        _sources = sources;
        _catalog = catalog;
        _timeout = timeout;
        _replyTo = replyTo;
        Fetching();
    }

    private MemberHoldings Holder => _sources.Holders[_next - 1];

    /// <summary>A replica saves into a folder of its own (<see cref="ReplicaPlacement"/>); a person's add where asked.</summary>
    private string SavePath => _replica
        ? ReplicaPlacement.FolderFor(_request.SavePath, _request.InfoHash, Configuration.FilesSettings.From(Context.System.Settings.Config.GetConfig("swarm") ?? Akka.Configuration.Config.Empty).ReplicaFolder)
        : _request.SavePath;

    public static Props Props(AddFromCluster request, bool replica, AddSources sources, IActorRef catalog, TimeSpan timeout, IActorRef replyTo) =>
        Akka.Actor.Props.Create(() => new AddFromClusterActor(request, replica, sources, catalog, timeout, replyTo));

    protected override void PreStart()
    {
        if (_sources.Refusal is { } refusal)
        {
            Finish(new AddFromClusterFailed(refusal));
            return;
        }

        AskNextHolder();
    }

    private void Fetching() =>
        Receive<AskCompleted>(a =>
        {
            switch (a.Reply)
            {
                case MetainfoFound found:
                    Add(found);
                    break;
                case Status.Failure { Cause: AskTimeoutException }:
                    Failed($"no answer within {_timeout.TotalSeconds:0} s");
                    break;
                case Status.Failure failure:
                    Finish(failure);
                    break;
                default:
                    Failed("does not have it any more");
                    break;
            }
        });

    private void Adding() =>
        Receive<AskCompleted>(a =>
        {
            switch (a.Reply)
            {
                case CatalogMessages.TorrentAccepted accepted:
                    Finish(accepted);
                    break;
                case CatalogMessages.AddTorrentRejected rejected:
                    Finish(new AddFromClusterFailed(rejected.Reason));
                    break;
                case Status.Failure { Cause: AskTimeoutException }:
                    // As for a holder that does not answer: the next one is tried.
                    Become(Fetching);
                    Failed($"no answer within {_timeout.TotalSeconds:0} s");
                    break;
                case Status.Failure failure:
                    Finish(failure);
                    break;
                default:
                    Finish(new AddFromClusterFailed($"unexpected answer {a.Reply}"));
                    break;
            }
        });

    private void AskNextHolder()
    {
        if (_next == _sources.Holders.Length)
        {
            Finish(new AddFromClusterFailed($"could not get the metainfo of {_request.InfoHash[..8]} ({_request.Reason}): {string.Join("; ", _failures)}"));
            return;
        }

        _next++;
        Context.ActorSelection(AvailabilityActor.PathAt(Holder.Address)).Ask(new GetMetainfo(_request.InfoHash), _timeout)
            .PipeTo(Self, success: r => new AskCompleted(r), failure: e => new AskCompleted(new Status.Failure(e)));
    }

    private void Failed(string why)
    {
        _failures.Add($"{Holder.Address}: {why}");
        AskNextHolder();
    }

    private void Add(MetainfoFound found)
    {
        TorrentMetainfo meta;
        try
        {
            // The hash names the torrent: metainfo that does not hash to it is refused, whoever sent it. A v2 torrent's
            // piece layers come along (BEP 52), each checked against its file's pieces root.
            meta = PieceLayers.Attach(MetainfoParser.ParseInfoDictionary(found.InfoDictionary, Protocol.InfoHash.Parse(_request.InfoHash)), found.PieceLayers) with { TrackerTiers = found.Trackers };
        }
        catch (Exception e) when (e is InvalidTorrentException or FormatException)
        {
            Failed($"sent unusable metainfo ({e.Message})");
            return;
        }

        Become(Adding);
        _catalog.Ask(new CatalogMessages.AddTorrent(meta, SavePath, new TorrentOptions(Peers: [.. _sources.Peers], Replica: _replica)), _timeout)
            .PipeTo(Self, success: r => new AskCompleted(r), failure: e => new AskCompleted(new Status.Failure(e)));
    }

    private void Finish(object outcome)
    {
        if (!_replica)
        {
            _replyTo.Tell(outcome);
        }
        else if (outcome is CatalogMessages.TorrentAccepted)
        {
            _log.Info("torrent {0}: copying it to {1} to keep its replication factor", _request.InfoHash[..8], SavePath);
        }
        else
        {
            _log.Warning("torrent {0}: cannot add a copy: {1}", _request.InfoHash[..8], outcome switch
            {
                AddFromClusterFailed f => f.Reason,
                Status.Failure f => f.Cause.Message,
                _ => outcome,
            });
        }

        Context.Stop(Self);
    }

    /// <summary>A holder's or the catalog's answer (or the failure of the ask).</summary>
    private sealed record AskCompleted(object Reply);
}
