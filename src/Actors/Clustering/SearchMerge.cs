using static Swarm.Actors.Catalog.CatalogMessages;
using static Swarm.Actors.Clustering.ClusterMessages;

namespace Swarm.Actors.Clustering;

/// <summary>Merges the members' answers to one cluster search: one result per info-hash (name and size from the first
/// member, in the order asked, that matched it), ranked by complete copies on usable members, then by name.</summary>
public static class SearchMerge
{
    /// <param name="answers">Every member asked, in the order asked, with its hits (null: it did not answer in time).</param>
    /// <param name="usable">Entries of the usable members, whose complete copies are counted.</param>
    public static SearchResults Merge(IReadOnlyList<(string Address, IReadOnlyList<CatalogHit>? Hits)> answers, IReadOnlyCollection<MemberHoldings> usable)
    {
        var results = answers
            .Where(a => a.Hits is not null)
            .SelectMany(a => a.Hits!.Select(h => (a.Address, Hit: h)))
            .GroupBy(x => x.Hit.InfoHash, StringComparer.Ordinal)
            .Select(g => new SearchResult(
                g.Key,
                g.First().Hit.Name,
                g.First().Hit.Size,
                usable.Count(h => h.Find(g.Key) is { Complete: true }),
                [.. g.Select(x => x.Address).Distinct().Order(StringComparer.Ordinal)]))
            .OrderByDescending(r => r.Copies)
            .ThenBy(r => r.Name, StringComparer.Ordinal)
            .ToArray();
        return new SearchResults(results, [.. answers.Where(a => a.Hits is null).Select(a => a.Address)]);
    }
}
