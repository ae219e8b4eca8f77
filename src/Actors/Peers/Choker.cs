using Swarm.Actors.Configuration;

namespace Swarm.Actors.Peers;

/// <summary>What the choker knows of one connection at a rechoke.</summary>
/// <param name="DownloadRate">Bytes/s we receive from the peer (tit-for-tat while leeching).</param>
/// <param name="UploadRate">Bytes/s we send to the peer (used when seeding: serve whoever takes data fastest).</param>
public sealed record ChokeCandidate(int Peer, bool Interested, bool PeerIsSeed, double DownloadRate, double UploadRate);

/// <summary>Tit-for-tat: unchoke the interested peers that give us the most (or, seeding, that take the most),
/// plus optimistic slots rotated among the rest so newcomers get a chance to prove themselves.</summary>
public sealed class Choker(ChokerSettings settings, Random? random = null)
{
    private readonly Random _random = random ?? Random.Shared;
    private readonly List<int> _optimistic = [];

    public IReadOnlyList<int> Optimistic => _optimistic;

    /// <summary>Returns the peers to keep unchoked. <paramref name="rotateOptimistic"/> picks new optimistic peers.</summary>
    public IReadOnlySet<int> Rechoke(IReadOnlyList<ChokeCandidate> candidates, bool seeding, bool rotateOptimistic)
    {
        var interested = candidates.Where(c => c.Interested && !c.PeerIsSeed).ToList();
        var regular = interested
            .OrderByDescending(c => seeding ? c.UploadRate : c.DownloadRate)
            .ThenBy(_ => _random.Next())
            .Take(settings.RegularSlots)
            .Select(c => c.Peer)
            .ToHashSet();

        _optimistic.RemoveAll(p => regular.Contains(p) || !interested.Any(c => c.Peer == p));
        if (rotateOptimistic)
        {
            _optimistic.Clear();
        }

        var pool = interested.Where(c => !regular.Contains(c.Peer) && !_optimistic.Contains(c.Peer)).Select(c => c.Peer).ToList();
        while (_optimistic.Count < settings.OptimisticSlots && pool.Count > 0)
        {
            var i = _random.Next(pool.Count);
            _optimistic.Add(pool[i]);
            pool.RemoveAt(i);
        }

        regular.UnionWith(_optimistic);
        return regular;
    }

    public int TotalSlots => settings.RegularSlots + settings.OptimisticSlots;
}
