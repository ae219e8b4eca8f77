using Akka.Actor;

namespace Swarm.Actors;

/// <summary>Props whose actor is made by calling its constructor (issue 14). <c>Props.Create(() => new X(...))</c> builds
/// an expression tree at every call, reads each argument out of it by reflection, and the actor is then made by
/// Activator binding a constructor to those arguments: for the actors made once per torrent, a thousand torrents
/// recovering at once paid that four times each. Such Props cannot be deployed remotely; these actors never are.</summary>
public static class DirectProps
{
    public static Props Of<TActor>(Func<TActor> create)
        where TActor : ActorBase => Props.CreateBy(new Producer<TActor>(create));

    private sealed class Producer<TActor>(Func<TActor> create) : IIndirectActorProducer
        where TActor : ActorBase
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => create();

        public void Release(ActorBase actor)
        {
        }
    }
}
