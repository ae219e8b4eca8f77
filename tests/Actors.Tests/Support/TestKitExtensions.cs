using Akka.Actor;
using Akka.TestKit;

namespace Swarm.Actors.Tests.Support;

public static class TestKitExtensions
{
    /// <summary>Stops <paramref name="actor"/> and waits until it is gone, so the next incarnation recovers from the journal.</summary>
    public static void StopAndWait(this TestKitBase kit, IActorRef actor, TimeSpan timeout)
    {
        kit.Watch(actor);
        kit.Sys.Stop(actor);
        kit.ExpectTerminated(actor, timeout);
    }
}
