using System.Collections.Immutable;
using System.Net;

namespace Swarm.Actors.Torrent;

/// <summary>The endpoints a torrent may dial (from --peer, trackers and the cluster), with exponential backoff per
/// endpoint: a peer whose connection worked and then closed is dialled again after 1 s, one that failed after 2, 4, 8 …
/// seconds (doubling with each failed dial since its last handshake) up to retry-failed-after, so a seeder that starts
/// late is found soon and a dead endpoint costs little.</summary>
public sealed record PeerCandidates
{
    public static PeerCandidates Empty { get; } = new();

    private ImmutableDictionary<string, DialCandidate> ByKey { get; init; } = ImmutableDictionary.Create<string, DialCandidate>(StringComparer.Ordinal);

    /// <summary>Endpoints never to dial again (ourselves).</summary>
    private ImmutableHashSet<string> Ignored { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    private long NextOrder { get; init; }

    public int Count => ByKey.Count;

    public DialCandidate? this[string key] => ByKey.GetValueOrDefault(key);

    /// <summary>Endpoints not known yet become candidates, unless <paramref name="refused"/> (banned) or ignored.</summary>
    public PeerCandidates Add(IEnumerable<IPEndPoint> endpoints, Func<string, bool> refused)
    {
        var byKey = ByKey;
        var order = NextOrder;
        foreach (var ep in endpoints)
        {
            var key = ep.ToString();
            if (!byKey.ContainsKey(key) && !Ignored.Contains(key) && !refused(key))
            {
                byKey = byKey.Add(key, new DialCandidate(ep, key, order++));
            }
        }

        return this with { ByKey = byKey, NextOrder = order };
    }

    /// <summary>Candidates to dial now, fewest failed dials first, then in the order they were learnt. A seeding torrent
    /// skips endpoints known to be seeds: two seeds have nothing to trade.</summary>
    public IReadOnlyList<DialCandidate> DueForDial(DateTimeOffset now, bool seeding) =>
        [.. ByKey.Values
            .Where(c => !c.InUse && c.NotBefore <= now && !(seeding && c.KnownSeed))
            .OrderBy(c => c.Attempts)
            .ThenBy(c => c.Order)];

    /// <summary>A connection to it is being made (and counts as an attempt until its handshake succeeds).</summary>
    public PeerCandidates Dialled(string key) => Update(key, c => c with { InUse = true, Attempts = c.Attempts + 1 });

    /// <summary>The handshake succeeded: its failures are forgiven.</summary>
    public PeerCandidates Connected(string key) => Update(key, c => c with { Attempts = 0 });

    public PeerCandidates PiecesSeen(string key, bool complete) => Update(key, c => c with { KnownSeed = complete });

    /// <summary>Its connection ended: dial again after the backoff its failed dials earned.</summary>
    public PeerCandidates Closed(string key, DateTimeOffset now, TimeSpan maxBackoff) =>
        Update(key, c => c with { InUse = false, NotBefore = now + Backoff(c.Attempts, maxBackoff) });

    /// <summary>Never dial it again (it turned out to be ourselves).</summary>
    public PeerCandidates Ignore(string key) => this with { ByKey = ByKey.Remove(key), Ignored = Ignored.Add(key) };

    /// <summary>Forgotten (banned); the ban itself keeps it from coming back.</summary>
    public PeerCandidates Remove(string key) => this with { ByKey = ByKey.Remove(key) };

    /// <summary>2^attempts seconds (attempts capped at 10), at most <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan max) =>
        TimeSpan.FromSeconds(Math.Min(max.TotalSeconds, Math.Pow(2, Math.Min(attempts, 10))));

    private PeerCandidates Update(string key, Func<DialCandidate, DialCandidate> change) =>
        ByKey.TryGetValue(key, out var c) ? this with { ByKey = ByKey.SetItem(key, change(c)) } : this;
}

/// <param name="Order">When it was learnt, so that ties dial in the order peers were given.</param>
public sealed record DialCandidate(IPEndPoint EndPoint, string Key, long Order)
{
    /// <summary>A connection to it exists (being dialled or established).</summary>
    public bool InUse { get; init; }

    public bool KnownSeed { get; init; }

    /// <summary>Dials since its last successful handshake.</summary>
    public int Attempts { get; init; }

    public DateTimeOffset NotBefore { get; init; }
}
