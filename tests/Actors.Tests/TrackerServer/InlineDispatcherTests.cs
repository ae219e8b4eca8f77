using Akka.Actor;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.TrackerServer;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.TrackerServer;

/// <summary>The dispatcher the tracker's swarms run on: on the sender's thread, one thread at a time, never
/// unboundedly deep.</summary>
public sealed class InlineDispatcherTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>An actor on the dispatcher, started: a top-level actor queues what it is told until its cell is up.</summary>
    private IActorRef Start(Props props)
    {
        InlineDispatcher.Register(Sys);
        var actor = Sys.ActorOf(props.WithDispatcher(InlineDispatcher.DispatcherId));
        actor.Ask<ActorIdentity>(new Identify(null), Wait).Wait(Wait);
        return actor;
    }

    [Fact]
    public void A_message_is_handled_by_the_thread_that_tells_it_before_tell_returns()
    {
        var seen = new Seen();
        var actor = Start(Props.Create(() => new Recorder(seen)));
        // Retried until the thread that started the actor has left its mailbox: from then on nothing else runs it.
        AwaitAssert(() =>
        {
            var before = seen.Count;
            actor.Tell(1);
            Assert.Equal((before + 1, Environment.CurrentManagedThreadId), (seen.Count, seen.LastThread));
        }, Wait);
    }

    [Fact]
    public void Two_threads_telling_one_actor_never_run_it_at_once_and_lose_nothing()
    {
        var seen = new Seen();
        var actor = Start(Props.Create(() => new Recorder(seen)));
        const int Each = 20_000;
        var threads = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < Each; i++)
            {
                actor.Tell(i);
            }
        })).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        AwaitCondition(() => Volatile.Read(ref seen.Count) == 2 * Each, Wait);
        Assert.Equal(0, seen.Overlaps);
    }

    [Fact]
    public void A_chain_of_actors_deeper_than_the_bound_still_delivers_past_it_on_the_thread_pool()
    {
        const int Length = 40;
        var last = CreateTestProbe();
        var next = last.Ref;
        var threads = new int[Length];
        for (var i = Length - 1; i >= 0; i--)
        {
            var forward = next;
            var position = i;
            next = Start(Props.Create(() => new Forwarder(forward, threads, position)));
        }

        var first = next;
        // The first links ran on this thread; the chain went on elsewhere once it was as deep as allowed. Retried until
        // the threads that started the links have left them.
        AwaitAssert(() =>
        {
            Array.Clear(threads);
            first.Tell("go");
            last.ExpectMsg("go", Wait);
            Assert.Equal(Environment.CurrentManagedThreadId, threads[0]);
            Assert.Contains(threads, t => t != Environment.CurrentManagedThreadId);
        }, Wait);
    }

    private sealed class Seen
    {
        public int Count;
        public int Overlaps;
        public int LastThread;
        public int Inside;
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(Seen seen)
        {
            Receive<int>(_ =>
            {
                if (Interlocked.Increment(ref seen.Inside) != 1)
                {
                    Interlocked.Increment(ref seen.Overlaps);
                }

                seen.LastThread = Environment.CurrentManagedThreadId;
                Thread.SpinWait(20);
                Volatile.Write(ref seen.Count, seen.Count + 1);
                Interlocked.Decrement(ref seen.Inside);
            });
        }
    }

    private sealed class Forwarder : ReceiveActor
    {
        public Forwarder(IActorRef next, int[] threads, int position)
        {
            Receive<string>(m =>
            {
                threads[position] = Environment.CurrentManagedThreadId;
                next.Tell(m);
            });
        }
    }
}
