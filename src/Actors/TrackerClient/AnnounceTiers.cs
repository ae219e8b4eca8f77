using System.Collections.Immutable;

namespace Swarm.Actors.TrackerClient;

/// <summary>A torrent's trackers in BEP 12 order: tiers are tried in turn, trackers within a tier in a random order
/// fixed at start, and the tracker that answers moves to the front of its tier.</summary>
public sealed class AnnounceTiers
{
    private AnnounceTiers(ImmutableArray<ImmutableArray<string>> tiers)
    {
        Tiers = tiers;
    }

    public ImmutableArray<ImmutableArray<string>> Tiers { get; }

    /// <summary>The tracker told first, and the only one told that we leave.</summary>
    public string? First => Tiers.Length > 0 && Tiers[0].Length > 0 ? Tiers[0][0] : null;

    /// <summary>BEP 12: each tier shuffled once, so that clients spread over a tier's trackers.</summary>
    public static AnnounceTiers Shuffled(IEnumerable<IEnumerable<string>> tiers, Random random) =>
        new([.. tiers.Select(t => t.OrderBy(_ => random.Next()).ToImmutableArray())]);

    /// <summary>BEP 12: the tracker that answered moves to the front of its tier.</summary>
    public AnnounceTiers Answered(int tier, string url) =>
        tier < 0 || tier >= Tiers.Length || !Tiers[tier].Contains(url)
            ? this
            : new(Tiers.SetItem(tier, Tiers[tier].Remove(url).Insert(0, url)));
}
