using System.Collections.Immutable;
using Akka.Actor;
using Swarm.Actors.Catalog;
using static Swarm.Actors.Clustering.ClusterMessages;

namespace Swarm.Actors.Clustering;

/// <summary>One cluster search, as a scatter-gather: asks every usable member's catalog at once, gathers the answers
/// until all came or the timeout passed, answers with the merged results (<see cref="SearchMerge"/>), and stops.</summary>
public sealed class ClusterSearchActor : HandlerActor, IWithTimers
{
    private readonly ImmutableArray<string> _members;
    private readonly IReadOnlyList<string> _words;
    private readonly ImmutableArray<MemberHoldings> _usable;
    private readonly TimeSpan _timeout;
    private readonly IActorRef _replyTo;
    private readonly Dictionary<string, IReadOnlyList<CatalogMessages.CatalogHit>> _answers = new(StringComparer.Ordinal);

    /// <param name="members">Cluster addresses of the members to ask (this one included), in the order of the results.</param>
    /// <param name="usable">Entries of the usable members, whose complete copies rank the results.</param>
    public ClusterSearchActor(ImmutableArray<string> members, IReadOnlyList<string> words, ImmutableArray<MemberHoldings> usable, TimeSpan timeout, IActorRef replyTo)
    {
        _members = members;
        _words = words;
        _usable = usable;
        _timeout = timeout;
        _replyTo = replyTo;
        Receive<MemberHits>(h =>
        {
            if (_members.Contains(h.Member))
            {
                _answers.TryAdd(h.Member, h.Hits);
            }

            if (_answers.Count == _members.Length)
            {
                Finish();
            }
        });
        // A member whose own catalog failed to answer fails the whole search, as an ask of it would.
        Receive<Status.Failure>(f =>
        {
            _replyTo.Tell(f);
            Context.Stop(Self);
        });
        Receive<GatherTimedOut>(_ => Finish());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ImmutableArray<string> members, IReadOnlyList<string> words, ImmutableArray<MemberHoldings> usable, TimeSpan timeout, IActorRef replyTo) =>
        Akka.Actor.Props.Create(() => new ClusterSearchActor(members, words, usable, timeout, replyTo));

    protected override void PreStart()
    {
        if (_members.IsEmpty)
        {
            Finish();
            return;
        }

        foreach (var member in _members)
        {
            Context.ActorSelection(AvailabilityActor.PathAt(member)).Tell(new SearchMember(_words), Self);
        }

        Timers.StartSingleTimer("timeout", new GatherTimedOut(), _timeout);
    }

    private void Finish()
    {
        _replyTo.Tell(SearchMerge.Merge([.. _members.Select(m => (m, _answers.GetValueOrDefault(m)))], _usable));
        Context.Stop(Self);
    }

    private sealed record GatherTimedOut;
}
