namespace Swarm.Node.Http;

/// <summary>Transmission's numeric torrent ids and the dates it reports, kept for the node's life: an id is given the
/// first time a torrent is seen and never reused, so a client holding an id never reaches another torrent. The dates
/// are when this node's HTTP surface first saw the torrent and first saw it complete during this run (the journal
/// keeps no dates). Torrents gone from the node are remembered for a while, for "recently-active" callers.</summary>
public sealed class TorrentIds(TimeProvider clock)
{
    /// <summary>How long a removed torrent is reported in "recently-active" answers (Transmission's own window).</summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromSeconds(60);

    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _byHash = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, string> _byId = [];
    private readonly List<(int Id, DateTimeOffset At)> _removed = [];
    private int _next;

    /// <summary>Notes the torrents the node holds now: new ones get ids, complete ones a done date, missing ones are
    /// noted as removed.</summary>
    public void Observe(IEnumerable<(string Hash, bool Complete)> present)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (hash, complete) in present)
            {
                seen.Add(hash);
                Assign(hash);
                var entry = _byHash[hash];

                if (complete && entry.Done is null)
                {
                    entry.Done = now;
                }
                else if (!complete)
                {
                    entry.Done = null;
                }
            }

            foreach (var (hash, entry) in _byHash)
            {
                if (!entry.Gone && !seen.Contains(hash))
                {
                    entry.Gone = true;
                    _removed.Add((entry.Id, now));
                }
            }

            _removed.RemoveAll(r => now - r.At > RecentWindow);
        }
    }

    /// <summary>The id of a torrent just added (it is listed from now on); the same id when already known.</summary>
    public int Assign(string hash)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            if (!_byHash.TryGetValue(hash, out var entry) || entry.Gone)
            {
                var id = entry?.Id ?? ++_next;
                entry = new Entry(id, now);
                _byHash[hash] = entry;
                _byId[id] = hash;
            }

            return entry.Id;
        }
    }

    public int IdOf(string hash)
    {
        lock (_gate)
        {
            return _byHash.TryGetValue(hash, out var e) ? e.Id : 0;
        }
    }

    public string? HashOf(int id)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(id, out var hash) && !_byHash[hash].Gone ? hash : null;
        }
    }

    /// <summary>Unix seconds this torrent was first seen (0 when unknown).</summary>
    public long AddedDate(string hash) => Seconds(Find(hash)?.Added);

    /// <summary>Unix seconds this torrent was first seen complete (0 while incomplete).</summary>
    public long DoneDate(string hash) => Seconds(Find(hash)?.Done);

    /// <summary>Ids of torrents removed within <see cref="RecentWindow"/>.</summary>
    public int[] RecentlyRemoved()
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            return [.. _removed.Where(r => now - r.At <= RecentWindow).Select(r => r.Id)];
        }
    }

    public long Now => clock.GetUtcNow().ToUnixTimeSeconds();

    private Entry? Find(string hash)
    {
        lock (_gate)
        {
            return _byHash.GetValueOrDefault(hash);
        }
    }

    private static long Seconds(DateTimeOffset? at) => at?.ToUnixTimeSeconds() ?? 0;

    private sealed class Entry(int id, DateTimeOffset added)
    {
        public int Id { get; } = id;

        public DateTimeOffset Added { get; } = added;

        public DateTimeOffset? Done { get; set; }

        public bool Gone { get; set; }
    }
}
