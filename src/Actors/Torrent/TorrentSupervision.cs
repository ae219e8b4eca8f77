using Akka.Actor;

namespace Swarm.Actors.Torrent;

/// <summary>The children of a torrent, by name, and what the torrent does when one of them throws.</summary>
public static class TorrentChildren
{
    public const string Storage = "storage";

    public const string JournalSupervisor = "journal-supervisor";

    public const string Journal = "journal";


    public const string Tracker = "tracker";

    private const string PeerPrefix = "peer-";

    private const string PiecePrefix = "piece-";

    private const string TrackerSupervisorPrefix = "tracker-supervisor-";

    /// <param name="incarnation">Counts the torrent's tracker supervisors: one that is still stopping after a pause
    /// must not block the name of the next.</param>
    public static string TrackerSupervisor(int incarnation) => $"{TrackerSupervisorPrefix}{incarnation}";

    public static string Peer(int key) => $"{PeerPrefix}{key}";

    /// <param name="incarnation">Counts the piece actors of the torrent: a piece downloaded again gets a fresh name.</param>
    public static string Piece(int piece, int incarnation) => $"{PiecePrefix}{piece}-{incarnation}";

    /// <summary>The decision for the child named <paramref name="childName"/> (the exception does not matter: each kind
    /// of child has one right answer, whatever broke).</summary>
    public static Directive Decide(string childName) => childName switch
    {
        // A connection cannot be restarted: its socket is gone and the remote end must redial or be redialled. A peer
        // that breaks the protocol (PeerProtocolException) or trips a bug loses its own connection only; the torrent
        // sees Terminated, gives its requests back to the picker and redials the endpoint with backoff.
        _ when childName.StartsWith(PeerPrefix, StringComparison.Ordinal) => Directive.Stop,

        // Its blocks are lost either way (the buffer goes back to the pool in PostStop); Terminated makes the piece
        // wanted again, so a fresh actor assembles it from new blocks.
        _ when childName.StartsWith(PiecePrefix, StringComparison.Ordinal) => Directive.Stop,

        // Storage never throws by design (a disk error is StorageFailed). If it does anyway, a restart would silently
        // drop the check or the writes in progress (their buffers are gone): stopped, it makes the torrent fail with a
        // visible error instead, and a resume starts again from a check.
        Storage => Directive.Stop,

        // Backoff supervisors hold nothing of their own and never throw in normal operation; they restart their
        // children themselves (the journal on stop, the tracker client on failure). Should one break, restarting it
        // brings its child back after backoff rather than leaving the torrent without a journal or trackers.
        JournalSupervisor => Directive.Restart,
        _ when childName.StartsWith(TrackerSupervisorPrefix, StringComparison.Ordinal) => Directive.Restart,

        _ => Directive.Stop,
    };
}

/// <summary>One-for-one, with the decision taken per child (Akka's decider alone only sees the exception).</summary>
internal sealed class TorrentSupervisorStrategy(Action<IActorRef, Exception, Directive> report)
    : OneForOneStrategy(-1, -1, _ => Directive.Stop, loggingEnabled: false)
{
    protected override Directive Handle(IActorRef child, Exception exception)
    {
        var directive = TorrentChildren.Decide(child.Path.Name);
        report(child, exception, directive);
        return directive;
    }
}
