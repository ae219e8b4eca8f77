namespace Swarm.Actors.Clustering;

/// <summary>What one torrent needs: its target, the copies that count and, if short, the members chosen to add one.</summary>
public sealed record ReplicaPlan(string InfoHash, int Factor, int Complete, int InProgress, IReadOnlyList<string> Chosen)
{
    public int Missing => Math.Max(0, Factor - Complete - InProgress);

    /// <summary>With more complete copies than the factor: the members that should release their replica.</summary>
    public IReadOnlyList<string> Released { get; init; } = [];
}

/// <summary>Where a member keeps its replicas: each in a folder of its own, named by the info-hash, below
/// <c>&lt;default save folder&gt;/&lt;swarm.files.replica-folder&gt;</c>, so that two replicas never share a file, a replica never
/// lands on a person's downloads, and releasing one deletes only what it created.</summary>
public static class ReplicaPlacement
{
    public static string FolderFor(string defaultSavePath, string infoHash, string replicaFolder) =>
        Path.Combine(defaultSavePath, replicaFolder, infoHash.ToLowerInvariant());
}

/// <summary>Resilient seeding as a pure function of one member's view of the cluster. Every member runs the same
/// plan over the same gossiped view, so they agree on who adds a copy without a coordinator to elect or hand over;
/// while views differ for a moment the worst case is one surplus copy (or one copy released too many, which the next
/// plan makes again), never a lost torrent.</summary>
public static class ReplicationPlanner
{
    public static IReadOnlyList<ReplicaPlan> Plan(IReadOnlyList<MemberView> members, IReadOnlyDictionary<string, int> factors, int defaultFactor)
    {
        // Only members that are up, reachable and have published their holdings count or may be chosen: a member
        // still starting looks empty until its first publication, and must not attract copies meanwhile.
        var usable = members.Where(m => m.Usable && m.Holdings is not null).ToList();
        // One index per member: the plan runs every replication-evaluate-interval over every torrent of the cluster.
        var held = usable.ToDictionary(
            m => m.Member,
            m => m.Holdings!.Torrents.GroupBy(t => t.InfoHash, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal),
            StringComparer.Ordinal);

        // Private torrents (BEP 27) are never copied between members: that would make members peers outside the
        // torrent's trackers.
        var hashes = members.Where(m => m.Holdings is not null)
            .SelectMany(m => m.Holdings!.Torrents.Where(t => !t.Private).Select(t => t.InfoHash))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        var plans = new List<ReplicaPlan>();
        // Copies chosen earlier in this plan count as load, so several short torrents spread over members.
        var load = usable.ToDictionary(m => m.Member, m => m.Holdings!.Torrents.Length, StringComparer.Ordinal);
        foreach (var hash in hashes)
        {
            var factor = Math.Max(1, factors.TryGetValue(hash, out var f) ? f : defaultFactor);
            var copies = usable.Select(m => held[m.Member].TryGetValue(hash, out var t) ? t : null).OfType<TorrentHolding>().ToList();
            var complete = copies.Count(t => t.Complete);
            var inProgress = copies.Count - complete;
            var missing = factor - complete - inProgress;
            if (complete > factor && inProgress == 0)
            {
                // Surplus: only copies the cluster made are released (a person's own torrent never is), the most loaded
                // member first. Nothing while a copy is in progress: it may be using the surplus as its source.
                var released = usable
                    .Where(m => held[m.Member].TryGetValue(hash, out var t) && t.Complete && t.Replica)
                    .OrderByDescending(m => load[m.Member])
                    .ThenByDescending(m => m.Member, StringComparer.Ordinal)
                    .Take(complete - factor)
                    .Select(m => m.Member)
                    .ToList();
                foreach (var member in released)
                {
                    load[member]--;
                }

                plans.Add(new ReplicaPlan(hash, factor, complete, inProgress, []) { Released = released });
                continue;
            }

            if (missing <= 0 || complete == 0)
            {
                // Enough copies, or no reachable source to copy from (a download with no seed would only wait).
                plans.Add(new ReplicaPlan(hash, factor, complete, inProgress, []));
                continue;
            }

            var size = copies.Max(t => t.Size);
            var chosen = usable
                .Where(m => !held[m.Member].ContainsKey(hash) && m.Holdings!.FreeBytes >= size)
                .OrderBy(m => load[m.Member])
                .ThenBy(m => m.Member, StringComparer.Ordinal)
                .Take(missing)
                .Select(m => m.Member)
                .ToList();
            foreach (var member in chosen)
            {
                load[member]++;
            }

            plans.Add(new ReplicaPlan(hash, factor, complete, inProgress, chosen));
        }

        return plans;
    }
}
