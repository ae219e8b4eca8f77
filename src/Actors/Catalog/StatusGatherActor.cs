using Akka.Actor;
using Swarm.Actors.Torrent;

namespace Swarm.Actors.Catalog;

/// <summary>One listing of the node's torrents: asks each torrent (or pending magnet) for its status, answers
/// <paramref name="replyTo"/> with a <see cref="CatalogMessages.TorrentList"/> of those and the <paramref name="known"/>
/// statuses (torrents the catalog answers for itself, e.g. failed ones) once all answered or the timeout passed, and
/// stops. One short-lived actor instead of an ask per torrent: the availability gossip lists every torrent each
/// second, and a thousand asks a second (a temporary actor and a task each) cost more than the answers.</summary>
public sealed class StatusGatherActor : HandlerActor, IWithTimers
{
    private readonly IReadOnlyCollection<IActorRef> _torrents;
    private readonly TimeSpan _timeout;
    private readonly IActorRef _replyTo;
    private readonly List<TorrentStatus> _answers;

    public StatusGatherActor(IReadOnlyCollection<IActorRef> torrents, IReadOnlyCollection<TorrentStatus> known, TimeSpan timeout, IActorRef replyTo)
    {
        _torrents = torrents;
        _timeout = timeout;
        _replyTo = replyTo;
        _answers = new List<TorrentStatus>(torrents.Count + known.Count);
        _answers.AddRange(known);
        var expected = torrents.Count + known.Count;
        Receive<TorrentStatus>(s =>
        {
            _answers.Add(s);
            if (_answers.Count == expected)
            {
                Answer();
            }
        });
        // A slow or restarting torrent must not fail the whole listing: it is left out of this answer.
        Receive<Deadline>(_ => Answer());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyCollection<IActorRef> torrents, IReadOnlyCollection<TorrentStatus> known, TimeSpan timeout, IActorRef replyTo) =>
        Akka.Actor.Props.Create(() => new StatusGatherActor(torrents, known, timeout, replyTo));

    protected override void PreStart()
    {
        if (_torrents.Count == 0)
        {
            Answer();
            return;
        }

        foreach (var torrent in _torrents)
        {
            torrent.Tell(new TorrentMessages.GetStatus());
        }

        Timers.StartSingleTimer("deadline", Deadline.Instance, _timeout);
    }

    private void Answer()
    {
        // Answered once: a status or the deadline still in the mailbox changes nothing.
        Become(() => ReceiveAny(_ => { }));
        _replyTo.Tell(new CatalogMessages.TorrentList([.. _answers.OrderBy(t => t.Name, StringComparer.Ordinal)]));
        Context.Stop(Self);
    }

    private sealed record Deadline
    {
        public static readonly Deadline Instance = new();
    }
}
