namespace Swarm.Actors.Lsd;

/// <summary>Keeps at most one catalog listing in flight for LSD. Every torrent that becomes ready asks for a fresh
/// listing, and a listing asks every torrent for its status: a node recovering 1,000 torrents asked for 1,000 listings
/// of 1,000 statuses each (a third of its recovery CPU). Requests that arrive while a listing is out fold into one
/// listing after it, so the torrents that became ready meanwhile are still announced.</summary>
public sealed record LsdListing(bool InFlight, bool Again)
{
    public static LsdListing Idle { get; } = new(false, false);

    /// <summary>A listing is wanted: ask now when none is out, else once the one out is answered.</summary>
    public (LsdListing Next, bool Ask) Requested() => InFlight ? (this with { Again = true }, false) : (new(true, false), true);

    /// <summary>The listing out was answered (or failed): ask again when more were wanted meanwhile.</summary>
    public (LsdListing Next, bool Ask) Answered() => Again ? (new(true, false), true) : (Idle, false);
}
