using System.Collections.Immutable;
using System.Net;

namespace Swarm.Protocol.Pex;

/// <summary>What we told one peer in ut_pex so far, and when: each send lists the peers connected since (added) and
/// those gone since (dropped), at most once per interval and at most a bounded number of each; what did not fit goes in
/// a later message.</summary>
public sealed record PexState
{
    public static PexState Empty { get; } = new();

    /// <summary>Peers this peer learnt from us and was not told are gone.</summary>
    public ImmutableDictionary<IPEndPoint, PexFlags> Told { get; private init; } = ImmutableDictionary<IPEndPoint, PexFlags>.Empty;

    public DateTimeOffset? LastSent { get; private init; }

    /// <summary>The message to send now, given the peers connected now (never the receiver itself: the caller leaves it
    /// out), or null when the interval since the last send has not passed or nothing changed.</summary>
    public (PexState Next, PexMessage? Message) Update(IEnumerable<PexPeer> connected, DateTimeOffset now, TimeSpan interval, int maxAdded, int maxDropped)
    {
        if (LastSent is { } last && now - last < interval)
        {
            return (this, null);
        }

        var current = new Dictionary<IPEndPoint, PexFlags>();
        foreach (var p in connected)
        {
            current.TryAdd(p.EndPoint, p.Flags);
        }

        var added = current.Where(kv => !Told.ContainsKey(kv.Key)).Take(maxAdded).Select(kv => new PexPeer(kv.Key, kv.Value)).ToList();
        var dropped = Told.Keys.Where(ep => !current.ContainsKey(ep)).Take(maxDropped).ToList();
        if (added.Count == 0 && dropped.Count == 0)
        {
            return (this, null);
        }

        var told = Told.RemoveRange(dropped).AddRange(added.Select(p => KeyValuePair.Create(p.EndPoint, p.Flags)));
        return (this with { Told = told, LastSent = now }, new PexMessage(added, dropped));
    }
}
