using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;

namespace Swarm.Actors.TrackerServer;

/// <summary>Runs an actor's mailbox on the thread that sends to it, when no other thread is running it: the tracker's
/// swarms answer an announce in a few microseconds, and handing it to a pool thread (a wake-up, a context switch, and
/// the answer's send on yet another core) cost more than the work. A UDP announce is then received, answered and sent
/// by the receive thread alone, as a single-threaded tracker does. Ownership is Akka's as with any dispatcher: the
/// mailbox's scheduled flag lets one thread at a time run the actor; a thread that finds it taken only enqueues, and the
/// running thread takes the message too. Nested inline runs (an actor telling another, or a mailbox refilled while it
/// ran) go at most <see cref="MaxDepth"/> deep on one stack; past that the mailbox goes to the thread pool.</summary>
public sealed class InlineDispatcher : MessageDispatcher
{
    /// <summary>The id swarms are created with (<see cref="Register"/> makes it known to an actor system).</summary>
    public const string DispatcherId = "swarm.tracker-server.inline-dispatcher";

    private const int MaxDepth = 8;

    [ThreadStatic]
    private static int _depth;

    private InlineDispatcher(MessageDispatcherConfigurator configurator)
        : base(configurator)
    {
        Id = DispatcherId;
    }

    /// <summary>Makes <see cref="DispatcherId"/> usable in <c>Props.WithDispatcher</c> on <paramref name="system"/> (once; later
    /// calls keep the first).</summary>
    public static void Register(ActorSystem system)
    {
        var dispatchers = system.Dispatchers;
        if (!dispatchers.HasDispatcher(DispatcherId))
        {
            var config = ConfigurationFactory.ParseString($"id = \"{DispatcherId}\"").WithFallback(dispatchers.DefaultDispatcherConfig);
            dispatchers.RegisterConfigurator(DispatcherId, new InlineConfigurator(config, dispatchers.Prerequisites));
        }
    }

    protected override void ExecuteTask(IRunnable run)
    {
        if (_depth >= MaxDepth)
        {
            ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: false);
            return;
        }

        _depth++;
        try
        {
            run.Run();
        }
        finally
        {
            _depth--;
        }
    }

    // No threads of its own to stop.
    protected override void Shutdown()
    {
    }

    // One dispatcher for all the swarms of a system, as Akka's own configurators share theirs.
    private sealed class InlineConfigurator : MessageDispatcherConfigurator
    {
        private readonly InlineDispatcher _dispatcher;

        public InlineConfigurator(Config config, IDispatcherPrerequisites prerequisites)
            : base(config, prerequisites)
        {
            _dispatcher = new InlineDispatcher(this);
        }

        public override MessageDispatcher Dispatcher() => _dispatcher;
    }
}
