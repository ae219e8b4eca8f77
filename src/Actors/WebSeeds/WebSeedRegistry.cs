using Akka.Actor;

namespace Swarm.Actors.WebSeeds;

/// <summary>A torrent's web seeds, by key and by actor, with the last status each reported; banned ones stay listed
/// (as "banned") so `peers` shows why a mirror is no longer used. Mutable, owned by the one torrent actor.</summary>
internal sealed class WebSeedRegistry
{
    private readonly Dictionary<int, Entry> _byKey = [];
    private readonly Dictionary<IActorRef, int> _keyByRef = [];
    private readonly List<WebSeedStatus> _banned = [];

    /// <summary>Bytes fetched by seeds that have stopped (the torrent's totals keep them).</summary>
    public long EndedDownloaded { get; private set; }

    public bool IsRunning(string url) => _byKey.Values.Any(e => e.Url == url);

    public IEnumerable<long> Downloaded => _byKey.Values.Select(e => e.Status.Downloaded);

    public void Add(int key, string url, IActorRef actor)
    {
        _byKey[key] = new Entry(url, actor) { Status = new WebSeedStatus(url, "starting", 0, 0, null, null) };
        _keyByRef[actor] = key;
    }

    public bool TryGetUrl(int key, out string url)
    {
        url = _byKey.TryGetValue(key, out var e) ? e.Url : string.Empty;
        return url.Length > 0;
    }

    public void Reported(int key, WebSeedStatus status)
    {
        if (_byKey.TryGetValue(key, out var e))
        {
            e.Status = status;
        }
    }

    /// <summary>The seed is banned: forgotten as a running seed (its actor is being stopped), listed as banned.</summary>
    public IActorRef? Ban(int key, string reason)
    {
        if (!_byKey.Remove(key, out var e))
        {
            return null;
        }

        _keyByRef.Remove(e.Ref);
        EndedDownloaded += e.Status.Downloaded;
        _banned.Add(e.Status with { State = "banned", Error = reason, DownloadRate = 0, RetryAt = null });
        return e.Ref;
    }

    /// <summary>Every running seed, forgotten at once (their actors are being stopped): a resume right after a pause
    /// starts fresh ones instead of waiting for the old ones to end.</summary>
    public IReadOnlyList<(int Key, IActorRef Actor)> RemoveAll()
    {
        var all = _byKey.Select(kv => (kv.Key, kv.Value.Ref)).ToList();
        foreach (var (key, actor) in all)
        {
            EndedDownloaded += _byKey[key].Status.Downloaded;
            _keyByRef.Remove(actor);
        }

        _byKey.Clear();
        return all;
    }

    /// <summary>The key of the seed whose actor ended, if it was one of ours.</summary>
    public int? Ended(IActorRef actor)
    {
        if (!_keyByRef.Remove(actor, out var key))
        {
            return null;
        }

        if (_byKey.Remove(key, out var e))
        {
            EndedDownloaded += e.Status.Downloaded;
        }

        return key;
    }

    public IReadOnlyList<WebSeedStatus> Statuses() => [.. _byKey.Values.Select(e => e.Status), .. _banned];

    private sealed class Entry(string url, IActorRef actor)
    {
        public string Url { get; } = url;

        public IActorRef Ref { get; } = actor;

        public WebSeedStatus Status { get; set; } = null!;
    }
}
