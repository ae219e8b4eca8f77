using System.Collections.Immutable;
using System.Net;
using Swarm.Protocol;

namespace Swarm.Actors.Lsd;

/// <summary>Which received LSD datagrams are read: at most a number per source address and in total per minute, so a
/// flood on the local network costs a counter, not a parse and a dial. The map holds only admitted sources, so it is
/// bounded by the total.</summary>
public sealed record LsdGate
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static LsdGate Empty { get; } = new();

    private DateTimeOffset WindowStart { get; init; } = DateTimeOffset.MinValue;

    private ImmutableDictionary<IPAddress, int> BySource { get; init; } = ImmutableDictionary<IPAddress, int>.Empty;

    private int Total { get; init; }

    /// <summary>Datagrams dropped so far.</summary>
    public long Dropped { get; private init; }

    public (LsdGate Next, bool Admitted) Admit(IPAddress from, DateTimeOffset now, int perSource, int total)
    {
        var current = now - WindowStart >= Window ? this with { WindowStart = now, BySource = BySource.Clear(), Total = 0 } : this;
        var mine = current.BySource.GetValueOrDefault(from);
        if (mine >= perSource || current.Total >= total)
        {
            return (current with { Dropped = Dropped + 1 }, false);
        }

        return (current with { BySource = current.BySource.SetItem(from, mine + 1), Total = current.Total + 1 }, true);
    }
}

/// <summary>When each public torrent was last announced: due again once min-announce-interval has passed; torrents
/// no longer held are forgotten.</summary>
public sealed record LsdSchedule
{
    public static LsdSchedule Empty { get; } = new();

    private ImmutableDictionary<InfoHash, DateTimeOffset> Last { get; init; } = ImmutableDictionary<InfoHash, DateTimeOffset>.Empty;

    /// <summary>The torrents to announce now (in batches of <paramref name="batch"/>), recorded as announced.</summary>
    public (LsdSchedule Next, IReadOnlyList<IReadOnlyList<InfoHash>> Batches) Due(IReadOnlyCollection<InfoHash> held, DateTimeOffset now, TimeSpan minInterval, int batch)
    {
        var kept = Last.Where(kv => held.Contains(kv.Key)).ToImmutableDictionary();
        var due = held.Where(h => !kept.TryGetValue(h, out var last) || now - last >= minInterval).Distinct().ToList();
        var next = this with { Last = kept.SetItems(due.Select(h => KeyValuePair.Create(h, now))) };
        return (next, due.Chunk(Math.Max(1, batch)).Select(c => (IReadOnlyList<InfoHash>)c).ToList());
    }
}
