using System.Collections.Concurrent;
using Akka.Actor;

namespace Swarm.Actors.Persistence;

/// <summary>Hands each torrent's journal history, read in bulk by the catalog at recovery (<see cref="JournalPrefetch"/>),
/// to that torrent (issue 14). The catalog offers a history just before it starts the torrent; the torrent takes it
/// once, as it starts, and offers it again to its journal actor when it makes it (at its first write), which takes it
/// as it starts; so a journal restarted later (after an outage) reads its history from the store again, as before.
/// Nothing writes to a journal between the read and the take: its torrent is not started, or has no journal actor yet.</summary>
public sealed class JournalHandoff : IExtension
{
    private readonly ConcurrentDictionary<string, PrefetchedJournal> _offered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _started = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _highest = new(StringComparer.Ordinal);

    public static JournalHandoff Get(ActorSystem system) => system.WithExtension<JournalHandoff, JournalHandoffProvider>();

    /// <summary>Also offers the history's highest sequence number (<see cref="OfferHighest"/>): the journal's writer,
    /// made at its first write, takes it instead of asking the store.</summary>
    public void Offer(string persistenceId, PrefetchedJournal journal)
    {
        _offered[persistenceId] = journal;
        _highest[persistenceId] = journal.LastSequenceNr;
    }

    public bool TryTake(string persistenceId, out PrefetchedJournal journal) => _offered.TryRemove(persistenceId, out journal!);

    /// <summary>True the first time an actor of <paramref name="persistenceId"/> starts in this actor system: only then
    /// may it take its history from a bulk read. A restarted instance may follow writes of the one that failed, still
    /// landing, so it recovers from the store as Akka.Persistence does.</summary>
    public bool FirstStart(string persistenceId) => _started.TryAdd(persistenceId, true);

    /// <summary>The highest sequence number a bulk read found for <paramref name="persistenceId"/>, which
    /// <see cref="SwarmSqlWriteJournal"/> answers once in place of a store query (issue 14). Offer it only for the first
    /// instance of that id in this actor system (<see cref="FirstStart"/>).</summary>
    public void OfferHighest(string persistenceId, long highest) => _highest[persistenceId] = highest;

    public bool TryTakeHighest(string persistenceId, out long highest) => _highest.TryRemove(persistenceId, out highest);

    /// <summary>What <see cref="TryTakeHighest"/> would answer, left in place.</summary>
    public bool TryPeekHighest(string persistenceId, out long highest) => _highest.TryGetValue(persistenceId, out highest);

    /// <summary>Drops what was offered and not taken (a torrent that could not start).</summary>
    public void Withdraw(string persistenceId)
    {
        _offered.TryRemove(persistenceId, out _);
        _highest.TryRemove(persistenceId, out _);
    }
}

public sealed class JournalHandoffProvider : ExtensionIdProvider<JournalHandoff>
{
    public override JournalHandoff CreateExtension(ExtendedActorSystem system) => new();
}
