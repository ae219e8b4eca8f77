using Swarm.Protocol.WebSeeds;

namespace Swarm.Actors.WebSeeds;

/// <summary>What a web seed reports: shown by `peers` beside the torrent's connections.</summary>
/// <param name="State">"idle" (nothing to fetch), "fetching", "backing off" or "banned".</param>
/// <param name="Error">Why the last round failed (kept while backing off).</param>
/// <param name="RetryAt">While backing off: when the seed is tried again.</param>
public sealed record WebSeedStatus(string Url, string State, long Downloaded, double DownloadRate, string? Error, DateTimeOffset? RetryAt);

/// <summary>Messages between a torrent and its web seeds (issue 17). Blocks travel as a peer's do: the torrent
/// answers a request for work with <see cref="Peers.PeerConnectionMessages.BlocksAssigned"/>, the seed sends each
/// fetched block as <see cref="Peers.PeerConnectionMessages.BlockArrived"/> and gives back what it could not fetch
/// with <see cref="Peers.PeerConnectionMessages.ReleaseBlocks"/>.</summary>
public static class WebSeedMessages
{
    // seed -> torrent

    /// <summary>The seed is free: up to <paramref name="Count"/> blocks, of any pieces (a web seed has them all).</summary>
    public sealed record WebSeedNeedsBlocks(int Seed, int Count);

    /// <summary>The seed's state changed, or a stats interval passed.</summary>
    public sealed record WebSeedReport(int Seed, WebSeedStatus Status);

    // seed internals (its fetch task and timer -> the seed actor)

    /// <summary>Timer, every check-interval: ask for work when idle, retry once the backoff ran out, report stats.</summary>
    internal sealed record WebSeedTick
    {
        public static WebSeedTick Instance { get; } = new();
    }

    /// <summary>One run of the round <paramref name="Round"/> arrived in full: <paramref name="Data"/> holds it.</summary>
    internal sealed record RunFetched(int Round, ContentRun Run, byte[] Data);

    /// <summary>The round <paramref name="Round"/> ended: every run fetched (<paramref name="Error"/> null), or failed
    /// with that reason (the runs not yet delivered go back to the picker).</summary>
    internal sealed record RoundEnded(int Round, string? Error);
}
