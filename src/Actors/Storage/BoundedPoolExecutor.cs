using Akka.Configuration;
using Akka.Dispatch;

namespace Swarm.Actors.Storage;

/// <summary>Issue 14 (leecher CPU): the storage dispatcher's executor. Its work runs on the runtime's thread pool, on
/// threads already awake for the peer and torrent actors (two dedicated threads spun between pieces: 15,000-95,000
/// sched_yield calls per 1 GiB download, and each verified piece went over to another thread), but at most
/// <c>max-concurrency</c> items at once, as the dedicated threads allowed: data checks of many torrents, each hashing
/// on all cores, wait their turn instead of filling the pool ahead of the connections.</summary>
public sealed class BoundedPoolExecutor : ExecutorService
{
    private readonly object _gate = new();
    private readonly Queue<IRunnable> _work = new(); // under _gate
    private readonly int _maxRunning;
    private int _running; // under _gate: drain loops queued to or running on the pool

    public BoundedPoolExecutor(string id, int maxRunning)
        : base(id)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRunning, 1);
        _maxRunning = maxRunning;
    }

    /// <summary>Items running or queued to the pool now (at most the bound).</summary>
    public int Running
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    public override void Execute(IRunnable run)
    {
        lock (_gate)
        {
            _work.Enqueue(run);
            if (_running >= _maxRunning)
            {
                return; // a running drain loop takes it
            }

            _running++;
        }

        // preferLocal: the item usually comes from a pool thread that just hashed the piece it writes.
        ThreadPool.UnsafeQueueUserWorkItem(static self => self.Drain(), this, preferLocal: true);
    }

    /// <summary>Nothing to stop: the loops end when the queue is empty.</summary>
    public override void Shutdown()
    {
    }

    /// <summary>Runs queued items until none is left, then gives its slot back.</summary>
    private void Drain()
    {
        while (true)
        {
            IRunnable run;
            lock (_gate)
            {
                if (!_work.TryDequeue(out run!))
                {
                    _running--;
                    return;
                }
            }

            run.Run();
        }
    }

    /// <summary>Made by Akka from the dispatcher's section (its <c>executor</c> names this type).</summary>
    public sealed class Configurator(Config config, IDispatcherPrerequisites prerequisites) : ExecutorServiceConfigurator(config, prerequisites)
    {
        private readonly int _maxConcurrency = config.GetInt("max-concurrency", 1);

        public override ExecutorService Produce(string id) => new BoundedPoolExecutor(id, _maxConcurrency);
    }
}
