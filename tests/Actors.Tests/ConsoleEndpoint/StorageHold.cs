using Akka.Actor;
using Akka.Configuration;

namespace Swarm.Actors.Tests.ConsoleEndpoint;

/// <summary>Holds every thread of the storage dispatcher until disposed, so that no torrent's data check (nor any other
/// storage work) starts before the test lets it: a state the check passes through can then be seen on any machine.
/// The node's storage dispatcher runs on the thread pool (issue 14), whose threads are everyone's: a test that holds
/// storage runs its system with <see cref="Config"/>, which gives storage threads of its own to hold.</summary>
public sealed class StorageHold : IDisposable
{
    private const string Dispatcher = "swarm.storage-dispatcher";
    private readonly ManualResetEventSlim _release = new();

    /// <summary>Storage actors on two dedicated threads (layer it over the node's configuration).</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        {{Dispatcher}} {
          type = ForkJoinDispatcher
          dedicated-thread-pool.thread-count = 2
        }
        """);

    private StorageHold()
    {
    }

    /// <summary>Returns once every storage thread is held (or throws after <paramref name="within"/>).</summary>
    public static StorageHold Take(ActorSystem system, TimeSpan within)
    {
        var hold = new StorageHold();
        var threads = system.Settings.Config.GetInt($"{Dispatcher}.dedicated-thread-pool.thread-count");
        if (threads < 1)
        {
            throw new InvalidOperationException($"the system's storage dispatcher has no threads of its own: layer {nameof(StorageHold)}.{nameof(Config)} over its configuration");
        }

        using var held = new CountdownEvent(threads);
        for (var i = 0; i < threads; i++)
        {
            system.ActorOf(Props.Create(() => new Holder(held, hold._release)).WithDispatcher(Dispatcher)).Tell(Holder.Hold);
        }

        if (!held.Wait(within))
        {
            hold.Dispose();
            throw new TimeoutException($"only {threads - held.CurrentCount} of {threads} storage threads could be held");
        }

        return hold;
    }

    public void Dispose() => _release.Set();

    private sealed class Holder : ReceiveActor
    {
        public const string Hold = "hold";

        public Holder(CountdownEvent held, ManualResetEventSlim release)
        {
            Receive<string>(_ =>
            {
                held.Signal();
                release.Wait();
                Context.Stop(Self);
            });
        }
    }
}
