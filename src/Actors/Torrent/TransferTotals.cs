using System.Collections.Immutable;

namespace Swarm.Actors.Torrent;

/// <summary>Bytes this torrent moved over connections that have closed; the live ones add their own counts. A
/// connection's last counts, sent as it stops, may arrive after the torrent saw it end: only what they add beyond
/// the counts taken at its end is added then.</summary>
public sealed record TransferTotals
{
    public static TransferTotals Empty { get; } = new();

    public long ClosedDownloaded { get; private init; }

    public long ClosedUploaded { get; private init; }

    private ImmutableDictionary<int, (long Down, long Up)> CountedAtClose { get; init; } = ImmutableDictionary<int, (long, long)>.Empty;

    /// <summary>A connection ended with <paramref name="downloaded"/>/<paramref name="uploaded"/> as its last known
    /// counts. Only an established one (<paramref name="wasConnected"/>) sends final counts later.</summary>
    public TransferTotals PeerClosed(int peer, long downloaded, long uploaded, bool wasConnected) => this with
    {
        ClosedDownloaded = ClosedDownloaded + downloaded,
        ClosedUploaded = ClosedUploaded + uploaded,
        CountedAtClose = wasConnected ? CountedAtClose.SetItem(peer, (downloaded, uploaded)) : CountedAtClose,
    };

    /// <summary>Final counts of a connection that already ended (anything else is ignored).</summary>
    public TransferTotals LateCounts(int peer, long downloaded, long uploaded) =>
        CountedAtClose.TryGetValue(peer, out var counted)
            ? this with
            {
                ClosedDownloaded = ClosedDownloaded + Math.Max(0, downloaded - counted.Down),
                ClosedUploaded = ClosedUploaded + Math.Max(0, uploaded - counted.Up),
                CountedAtClose = CountedAtClose.Remove(peer),
            }
            : this;

    /// <summary>Everything moved, given the counts of the connections still open.</summary>
    public (long Downloaded, long Uploaded) With(IEnumerable<(long Downloaded, long Uploaded)> live)
    {
        var (down, up) = (ClosedDownloaded, ClosedUploaded);
        foreach (var (d, u) in live)
        {
            down += d;
            up += u;
        }

        return (down, up);
    }
}
