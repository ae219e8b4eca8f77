using Akka.Dispatch;
using Swarm.Actors.Storage;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (leecher CPU): the storage dispatcher's executor runs every item once, on the thread pool, never more
/// than its bound at once, and takes new work after it went idle.</summary>
public sealed class BoundedPoolExecutorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public void Items_run_once_each_on_the_pool_at_most_the_bound_at_once()
    {
        var executor = new BoundedPoolExecutor("bounded-test", 2);
        using var gate = new ManualResetEventSlim();
        var ran = new int[40];
        int running = 0, most = 0, offPool = 0;
        using var done = new CountdownEvent(ran.Length);
        for (var i = 0; i < ran.Length; i++)
        {
            var item = i;
            executor.Execute(new Item(() =>
            {
                var now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                gate.Wait(); // the first two hold their slots until every item is queued
                if (!Thread.CurrentThread.IsThreadPoolThread)
                {
                    Interlocked.Increment(ref offPool);
                }

                Interlocked.Increment(ref ran[item]);
                Interlocked.Decrement(ref running);
                done.Signal();
            }));
        }

        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref running) == 2, Bound)); // two started, no third
        Assert.Equal(2, executor.Running);
        gate.Set();
        Assert.True(done.Wait(Bound));
        Assert.All(ran, n => Assert.Equal(1, n));
        Assert.Equal(2, Volatile.Read(ref most));
        Assert.Equal(0, offPool);
        Assert.True(SpinWait.SpinUntil(() => executor.Running == 0, Bound));

        // Idle now: new work starts a loop again.
        using var later = new ManualResetEventSlim();
        executor.Execute(new Item(later.Set));
        Assert.True(later.Wait(Bound));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    private sealed class Item(Action action) : IRunnable
    {
        public void Run() => action();

        public void Execute() => action();
    }
}
