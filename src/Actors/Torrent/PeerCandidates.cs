using System.Collections.Immutable;
using System.Net;

namespace Swarm.Actors.Torrent;

/// <summary>The endpoints a torrent may dial (from --peer, trackers and the cluster), with exponential backoff per
/// endpoint: a peer whose connection worked and then closed is dialled again after 1 s, one that failed after 2, 4, 8 …
/// seconds (doubling with each failed dial since its last handshake) up to retry-failed-after, so a seeder that starts
/// late is found soon and a dead endpoint costs little. The list is capped (candidates.max-per-torrent): when full, a
/// newcomer replaces the idle candidate with the most failed dials (the oldest of those), and is dropped when none has
/// failed. Idle candidates are kept in dial order as they change, so choosing whom to dial never sorts the list, and a
/// tracker reply of 700k peers costs no more than the cap.</summary>
public sealed record PeerCandidates
{
    public static PeerCandidates Empty { get; } = new();

    private ImmutableDictionary<string, DialCandidate> ByKey { get; init; } = ImmutableDictionary.Create<string, DialCandidate>(StringComparer.Ordinal);

    /// <summary>Candidates not in use, in dial order: fewest failed dials first, then in the order they were learnt.</summary>
    private ImmutableSortedSet<DialRank> Idle { get; init; } = ImmutableSortedSet.Create(DialRank.DialOrder);

    /// <summary>Endpoints never to dial again (ourselves).</summary>
    private ImmutableHashSet<string> Ignored { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    private long NextOrder { get; init; }

    public int Count => ByKey.Count;

    /// <summary>Endpoints ever taken in (some since replaced or forgotten).</summary>
    public long Learnt => NextOrder;

    /// <summary>Candidates not being dialled or connected.</summary>
    public int IdleCount => Idle.Count;

    public DialCandidate? this[string key] => ByKey.GetValueOrDefault(key);

    /// <summary>Endpoints not known yet become candidates, unless <paramref name="refused"/> (banned) or ignored, while
    /// there is room under <paramref name="capacity"/> or a candidate that failed to give way.</summary>
    public PeerCandidates Add(IEnumerable<IPEndPoint> endpoints, Func<string, bool> refused, int capacity)
    {
        var next = this;
        foreach (var ep in endpoints)
        {
            var key = ep.ToString();
            if (next.ByKey.ContainsKey(key) || next.Ignored.Contains(key) || refused(key))
            {
                continue;
            }

            if (next.ByKey.Count >= capacity)
            {
                if (next.Idle.Count == 0 || next.Idle.Max.Attempts == 0)
                {
                    break; // every idle candidate is as good as a newcomer: the rest of this list would be dropped too
                }

                next = next.Without(next.WorstIdle());
            }

            var c = new DialCandidate(ep, key, next.NextOrder);
            next = next with { ByKey = next.ByKey.Add(key, c), Idle = next.Idle.Add(DialRank.Of(c)), NextOrder = next.NextOrder + 1 };
        }

        return next;
    }

    /// <summary>Candidates to dial now, fewest failed dials first, then in the order they were learnt, read lazily in
    /// that order: the caller takes as many as it may dial. A seeding torrent skips endpoints known to be seeds: two
    /// seeds have nothing to trade.</summary>
    public IEnumerable<DialCandidate> DueForDial(DateTimeOffset now, bool seeding)
    {
        foreach (var rank in Idle)
        {
            var c = ByKey[rank.Key];
            if (c.NotBefore <= now && !(seeding && c.KnownSeed))
            {
                yield return c;
            }
        }
    }

    /// <summary>When the first idle candidate may be dialled (a time not after <paramref name="now"/> when one is due
    /// already), skipping known seeds while <paramref name="seeding"/>; null when there is none to dial at all. An idle
    /// torrent sleeps until then instead of looking every stats-interval.</summary>
    public DateTimeOffset? NextDial(DateTimeOffset now, bool seeding)
    {
        DateTimeOffset? first = null;
        foreach (var rank in Idle)
        {
            var c = ByKey[rank.Key];
            if (seeding && c.KnownSeed)
            {
                continue;
            }

            if (c.NotBefore <= now)
            {
                return c.NotBefore;
            }

            if (first is null || c.NotBefore < first)
            {
                first = c.NotBefore;
            }
        }

        return first;
    }

    /// <summary>A connection to it is being made (and counts as an attempt until its handshake succeeds).</summary>
    public PeerCandidates Dialled(string key) => Update(key, c => c with { InUse = true, Attempts = c.Attempts + 1 });

    /// <summary>The handshake succeeded: its failures are forgiven.</summary>
    public PeerCandidates Connected(string key) => Update(key, c => c with { Attempts = 0 });

    public PeerCandidates PiecesSeen(string key, bool complete) => Update(key, c => c with { KnownSeed = complete });

    /// <summary>Its connection ended: dial again after the backoff its failed dials earned.</summary>
    public PeerCandidates Closed(string key, DateTimeOffset now, TimeSpan maxBackoff) =>
        Update(key, c => c with { InUse = false, NotBefore = now + Backoff(c.Attempts, maxBackoff) });

    /// <summary>Never dial it again (it turned out to be ourselves).</summary>
    public PeerCandidates Ignore(string key) => (ByKey.TryGetValue(key, out var c) ? Without(c) : this) with { Ignored = Ignored.Add(key) };

    /// <summary>Forgotten (banned); the ban itself keeps it from coming back.</summary>
    public PeerCandidates Remove(string key) => ByKey.TryGetValue(key, out var c) ? Without(c) : this;

    /// <summary>2^attempts seconds (attempts capped at 10), at most <paramref name="max"/>.</summary>
    public static TimeSpan Backoff(int attempts, TimeSpan max) =>
        TimeSpan.FromSeconds(Math.Min(max.TotalSeconds, Math.Pow(2, Math.Min(attempts, 10))));

    /// <summary>The idle candidate with the most failed dials, the earliest learnt of those: found by its place in dial
    /// order (the first rank after "that many failures, learnt before anything").</summary>
    private DialCandidate WorstIdle()
    {
        var index = Idle.IndexOf(new DialRank(Idle.Max.Attempts, long.MinValue, string.Empty));
        return ByKey[Idle[index < 0 ? ~index : index].Key];
    }

    private PeerCandidates Without(DialCandidate c) =>
        this with { ByKey = ByKey.Remove(c.Key), Idle = c.InUse ? Idle : Idle.Remove(DialRank.Of(c)) };

    private PeerCandidates Update(string key, Func<DialCandidate, DialCandidate> change)
    {
        if (!ByKey.TryGetValue(key, out var before))
        {
            return this;
        }

        var after = change(before);
        var idle = before.InUse ? Idle : Idle.Remove(DialRank.Of(before));
        return this with { ByKey = ByKey.SetItem(key, after), Idle = after.InUse ? idle : idle.Add(DialRank.Of(after)) };
    }

    /// <summary>An idle candidate's place in dial order (<see cref="DialCandidate.Order"/> is unique, so no two tie).</summary>
    private readonly record struct DialRank(int Attempts, long Order, string Key)
    {
        public static IComparer<DialRank> DialOrder { get; } = Comparer<DialRank>.Create((a, b) =>
            a.Attempts != b.Attempts ? a.Attempts.CompareTo(b.Attempts) : a.Order.CompareTo(b.Order));

        public static DialRank Of(DialCandidate c) => new(c.Attempts, c.Order, c.Key);
    }
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
