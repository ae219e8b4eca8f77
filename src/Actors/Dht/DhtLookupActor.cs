using Akka.Actor;
using Swarm.Protocol.Dht;
using static Swarm.Actors.Dht.DhtMessages;

namespace Swarm.Actors.Dht;

/// <summary>One iterative lookup, short-lived: asks its parent <see cref="DhtActor"/> to query the nodes the pure
/// <see cref="Lookup"/> names, feeds it the answers, reports new peers as they come, and stops once the lookup
/// converged. The parent owns the socket, the transactions and their timeouts.</summary>
public sealed class DhtLookupActor : HandlerActor
{
    private readonly bool _getPeers;
    private Lookup _lookup;

    public DhtLookupActor(NodeId target, bool getPeers, IReadOnlyList<DhtContact> seeds)
    {
        _getPeers = getPeers;
        _lookup = Lookup.Start(target, seeds);
        Receive<NodeAnswered>(a =>
        {
            var before = _lookup.Peers;
            _lookup = _lookup.Answer(a.From, a.Nodes, a.Values, a.Token);
            var fresh = _lookup.Peers.Except(before).ToList();
            if (fresh.Count > 0)
            {
                Context.Parent.Tell(new LookupPeers(target, fresh));
            }

            Advance();
        });
        Receive<NodeSilent>(s =>
        {
            _lookup = _lookup.Fail(s.From);
            Advance();
        });
    }

    public static Props Props(NodeId target, bool getPeers, IReadOnlyList<DhtContact> seeds) =>
        Akka.Actor.Props.Create(() => new DhtLookupActor(target, getPeers, seeds));

    protected override void PreStart() => Advance();

    private void Advance()
    {
        (_lookup, var ask) = _lookup.Next();
        foreach (var node in ask)
        {
            Context.Parent.Tell(new AskNode(node, _lookup.Target, _getPeers));
        }

        if (_lookup.IsDone)
        {
            Context.Parent.Tell(new LookupEnded(_lookup.Target, _getPeers, _lookup.AnnounceTargets(), _lookup.Answered, _lookup.Peers.Count));
            Context.Stop(Self);
        }
    }
}
