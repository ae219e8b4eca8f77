namespace Swarm.Actors.Torrent;

/// <summary>Whether a networking torrent needs its periodic timers (the progress-and-dial tick, the rechoke rounds,
/// PEX) or may sleep: they have work only while the torrent has connections or running web seeds, or a candidate is
/// due for a dial. An idle torrent (no connections, nothing to dial yet) sleeps until its next candidate's backoff
/// ends, or until an event wakes it (a peer, new candidates, a resume), so a thousand idle torrents cost no timer
/// messages at all.</summary>
/// <param name="Awake">Run the periodic timers.</param>
/// <param name="WakeIn">Asleep: when the next candidate may be dialled (null: only an event wakes the torrent).</param>
public readonly record struct TorrentPace(bool Awake, TimeSpan? WakeIn)
{
    public static TorrentPace Busy { get; } = new(true, null);

    /// <param name="connections">Connections being made or established.</param>
    /// <param name="webSeeds">Web seeds running (they report transfers the tracker should hear of).</param>
    /// <param name="nextDial">When the first candidate may be dialled (<see cref="PeerCandidates.NextDial"/>), or null;
    /// asked only when the torrent has neither connections nor web seeds.</param>
    public static TorrentPace Decide(int connections, bool webSeeds, Func<DateTimeOffset?> nextDial, DateTimeOffset now)
    {
        if (connections > 0 || webSeeds)
        {
            return Busy;
        }

        return nextDial() switch
        {
            null => new TorrentPace(false, null),
            { } due when due <= now => Busy, // due now: the tick dials it, and again should the node's caps refuse
            { } due => new TorrentPace(false, due - now),
        };
    }
}
