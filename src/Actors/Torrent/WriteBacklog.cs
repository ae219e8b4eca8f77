using System.Collections.Immutable;

namespace Swarm.Actors.Torrent;

/// <summary>Disk back-pressure: bytes of verified pieces waiting for storage to write them. Past max-pending-write-bytes
/// the torrent hands out no new requests (the disk is behind: dirty-page throttling), so verified pieces don't pile up
/// in memory; the peers turned away are told once the backlog is down to half.</summary>
public sealed record WriteBacklog(long MaxPendingBytes)
{
    public long PendingBytes { get; private init; }

    /// <summary>Peers whose request for blocks was turned down while the disk was behind.</summary>
    public ImmutableHashSet<int> Starved { get; private init; } = [];

    public bool Behind => PendingBytes >= MaxPendingBytes;

    public WriteBacklog Starve(int peer) => this with { Starved = Starved.Add(peer) };

    /// <summary>A verified piece of <paramref name="bytes"/> went to storage.</summary>
    public WriteBacklog Queued(long bytes) => this with { PendingBytes = PendingBytes + bytes };

    /// <summary>Storage wrote a piece of <paramref name="bytes"/>; <c>Wake</c> are the peers to tell they may ask again.</summary>
    public (WriteBacklog Backlog, IReadOnlyCollection<int> Wake) Written(long bytes)
    {
        var pending = PendingBytes - bytes;
        return !Starved.IsEmpty && pending < MaxPendingBytes / 2
            ? (this with { PendingBytes = pending, Starved = [] }, Starved)
            : (this with { PendingBytes = pending }, []);
    }
}
