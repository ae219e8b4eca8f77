using Akka.Actor;
using Swarm.Actors.Persistence;
using Swarm.Actors.Storage;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Catalog.CatalogMessages;
using static Swarm.Actors.Persistence.TorrentJournalMessages;

namespace Swarm.Actors.Catalog;

/// <summary>One removed torrent's `--delete-data`, once its actor has stopped: reads from the torrent's own journal
/// which files and folders it created, deletes only those (off the actor's thread), answers the requester, tells the
/// catalog its paths are free, and stops. A journal that cannot be read deletes nothing.</summary>
public sealed class DataDeletionActor : HandlerActor, IWithTimers
{
    private readonly TorrentAdded _entry;
    private readonly string _journalId;
    private readonly string _claimKey;
    private readonly NodeContext _node;
    private readonly IActorRef _replyTo;
    private TorrentMetainfo? _meta;
    private IActorRef _journal = ActorRefs.Nobody;

    /// <param name="journalId">The torrent's journal (persistence id); its actor has stopped, so reading it is safe.</param>
    /// <param name="claimKey">Owner key of the torrent's paths in <see cref="PathClaims"/> until the deletion ends.</param>
    public DataDeletionActor(TorrentAdded entry, string journalId, string claimKey, NodeContext node, IActorRef replyTo)
    {
        _entry = entry;
        _journalId = journalId;
        _claimKey = claimKey;
        _node = node;
        _replyTo = replyTo;
        Receive<JournalRecovered>(r =>
        {
            Context.Stop(_journal);
            var created = new CreatedContent([.. r.State.CreatedFiles], [.. r.State.CreatedFolders]);
            var storage = new TorrentStorage(_meta!, _entry.SavePath, _node.Files);
            Task.Run(() => Delete(storage, created)).PipeTo(Self);
        });
        Receive<JournalFailed>(f => Finish(new RemoveTorrentReply(_entry.InfoHash, 0, $"cannot read which files it created, so nothing was deleted: {f.Error}")));
        Receive<ReadTimedOut>(_ => Finish(new RemoveTorrentReply(_entry.InfoHash, 0, "its journal did not answer, so nothing was deleted")));
        Receive<RemoveTorrentReply>(Finish);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TorrentAdded entry, string journalId, string claimKey, NodeContext node, IActorRef replyTo) =>
        Akka.Actor.Props.Create(() => new DataDeletionActor(entry, journalId, claimKey, node, replyTo));

    protected override void PreStart()
    {
        try
        {
            _meta = CatalogEntries.Metainfo(_entry);
        }
        catch (Exception e) when (e is InvalidTorrentException or FormatException)
        {
            Finish(new RemoveTorrentReply(_entry.InfoHash, 0, e.Message));
            return;
        }

        // Only read: snapshots off (0), and it is stopped as soon as it has told what it holds.
        _journal = Context.ActorOf(TorrentJournalActor.Props(_journalId, _meta.PieceCount, Self, 0), "journal");
        Timers.StartSingleTimer("read", new ReadTimedOut(), _node.Settings.Persistence.RestartMaxBackoff + _node.Settings.Console.CommandTimeout);
    }

    private RemoveTorrentReply Delete(TorrentStorage storage, CreatedContent created)
    {
        try
        {
            return new RemoveTorrentReply(_entry.InfoHash, storage.DeleteCreated(created));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new RemoveTorrentReply(_entry.InfoHash, 0, e.Message);
        }
    }

    private void Finish(RemoveTorrentReply reply)
    {
        _replyTo.Tell(reply);
        Context.Parent.Tell(new DataDeletionFinished(_claimKey));
        Context.Stop(Self);
    }

    private sealed record ReadTimedOut;
}
