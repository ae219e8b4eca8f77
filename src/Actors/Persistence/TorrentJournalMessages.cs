namespace Swarm.Actors.Persistence;

/// <summary>Messages between a torrent and its journal actor.</summary>
public static class TorrentJournalMessages
{
    /// <summary>Journal <paramref name="Event"/>; answered with <see cref="JournalEventWritten"/> carrying the same id.</summary>
    public sealed record WriteJournalEvent(long Id, IPersistedEvent Event);

    /// <summary>Reply to <see cref="WriteJournalEvent"/>: the event is durable.</summary>
    public sealed record JournalEventWritten(long Id);

    /// <summary>The journal finished reading the torrent's history.</summary>
    /// <param name="LastSequenceNr">0 for a torrent that has never journaled anything.</param>
    public sealed record JournalRecovered(TorrentJournalState State, long LastSequenceNr);

    /// <summary>The journal is down or unreadable; the torrent shows this until a write succeeds again.</summary>
    public sealed record JournalFailed(string Error);
}
