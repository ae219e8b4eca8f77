using Akka.Actor;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (leecher CPU): the node's storage dispatcher runs its actors on the runtime's thread pool (with the
/// peer and torrent actors), not on threads of its own that spin between pieces.</summary>
public sealed class StorageDispatcherTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    [Fact]
    public void Storage_actors_run_on_the_thread_pool()
    {
        var actor = Sys.ActorOf(Props.Create(() => new WhichThread()).WithDispatcher("swarm.storage-dispatcher"));
        for (var i = 0; i < 20; i++)
        {
            actor.Tell(i);
            Assert.True(ExpectMsg<bool>(TimeSpan.FromSeconds(10)), $"message {i} ran on a thread of its own");
        }
    }

    private sealed class WhichThread : ReceiveActor
    {
        public WhichThread() => Receive<int>(_ => Sender.Tell(Thread.CurrentThread.IsThreadPoolThread));
    }
}
