using System.Net;

namespace Swarm.Actors.Magnet;

/// <summary>Peers the DHT found for a magnet, handed from the actor to its fetch loop (which runs off the actor), with
/// a signal so a waiting loop starts its next round at once instead of after magnet.retry-interval.</summary>
internal sealed class FoundPeers
{
    /// <summary>DHT peers a fetch loop keeps trying across rounds: a lookup's worth (its k closest nodes' values).</summary>
    public const int Kept = 200;

    private readonly object _gate = new();
    private List<IPEndPoint> _new = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when peers arrive that <see cref="TakeAll"/> has not taken yet.</summary>
    public Task Arrived
    {
        get
        {
            lock (_gate)
            {
                return _arrived.Task;
            }
        }
    }

    public void Add(IEnumerable<IPEndPoint> peers)
    {
        lock (_gate)
        {
            _new.AddRange(peers);
            if (_new.Count > Kept)
            {
                _new.RemoveRange(0, _new.Count - Kept);
            }

            _arrived.TrySetResult();
        }
    }

    public IReadOnlyList<IPEndPoint> TakeAll()
    {
        lock (_gate)
        {
            var taken = _new;
            _new = [];
            if (_arrived.Task.IsCompleted)
            {
                _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return taken;
        }
    }
}
