using System.Collections.Immutable;
using System.Net;

namespace Swarm.Protocol.Dht;

public enum CandidateState
{
    Waiting,
    Asked,
    Answered,
    Failed,
}

/// <summary>A node a lookup knows of, and the announce token it gave (get_peers).</summary>
public sealed record LookupCandidate(DhtContact Contact, CandidateState State, byte[]? Token = null);

/// <summary>One iterative lookup (BEP 5) as pure state: ask the closest nodes known, α at a time, learn closer ones from
/// their answers, and stop when the k closest known nodes have all answered (or failed). The caller sends the queries
/// <see cref="Next"/> names and reports answers and timeouts. Candidates are capped, and one answer adds at most
/// k nodes, so a node answering with floods of fake nodes cannot grow the lookup.</summary>
public sealed record Lookup(NodeId Target, ImmutableList<LookupCandidate> Candidates, ImmutableHashSet<IPEndPoint> Peers)
{
    public const int Alpha = 3;
    public const int MaxCandidates = 4 * RoutingTable.K;

    public static Lookup Start(NodeId target, IEnumerable<DhtContact> seeds) =>
        new Lookup(target, [], []).Add(seeds);

    public int InFlight => Candidates.Count(c => c.State == CandidateState.Asked);

    public int Answered => Candidates.Count(c => c.State == CandidateState.Answered);

    /// <summary>No node left to ask among the k closest live ones, and none still asked.</summary>
    public bool IsDone => InFlight == 0 && !Closest().Any(c => c.State == CandidateState.Waiting);

    /// <summary>The nodes to ask now (marked asked): the closest waiting ones among the k closest live, up to α in flight.</summary>
    public (Lookup Lookup, IReadOnlyList<DhtContact> Ask) Next()
    {
        var room = Alpha - InFlight;
        if (room <= 0)
        {
            return (this, []);
        }

        var ask = Closest().Where(c => c.State == CandidateState.Waiting).Take(room).ToList();
        var list = Candidates;
        foreach (var c in ask)
        {
            list = list.Replace(c, c with { State = CandidateState.Asked });
        }

        return (this with { Candidates = list }, [.. ask.Select(c => c.Contact)]);
    }

    /// <summary>A node answered: its closer nodes join the lookup, its peers are kept, its token kept for the announce.</summary>
    public Lookup Answer(IPEndPoint from, IEnumerable<DhtContact> nodes, IEnumerable<IPEndPoint> peers, byte[]? token)
    {
        var at = Candidates.FindIndex(c => c.Contact.EndPoint.Equals(from) && c.State == CandidateState.Asked);
        if (at < 0)
        {
            return this;
        }

        var answered = this with { Candidates = Candidates.SetItem(at, Candidates[at] with { State = CandidateState.Answered, Token = token }), Peers = Peers.Union(peers) };
        return answered.Add(nodes.Take(RoutingTable.K));
    }

    public Lookup Fail(IPEndPoint from)
    {
        var at = Candidates.FindIndex(c => c.Contact.EndPoint.Equals(from) && c.State == CandidateState.Asked);
        return at < 0 ? this : this with { Candidates = Candidates.SetItem(at, Candidates[at] with { State = CandidateState.Failed }) };
    }

    /// <summary>The k closest nodes that answered with a token: where announce_peer goes.</summary>
    public IReadOnlyList<LookupCandidate> AnnounceTargets() =>
        [.. Candidates.Where(c => c.State == CandidateState.Answered && c.Token is not null).Take(RoutingTable.K)];

    private IEnumerable<LookupCandidate> Closest() => Candidates.Where(c => c.State != CandidateState.Failed).Take(RoutingTable.K);

    private Lookup Add(IEnumerable<DhtContact> nodes)
    {
        var list = Candidates;
        foreach (var n in nodes)
        {
            if (list.Any(c => c.Contact.EndPoint.Equals(n.EndPoint) || c.Contact.Id.Equals(n.Id)))
            {
                continue;
            }

            var at = list.FindIndex(c => Target.CompareDistance(n.Id, c.Contact.Id) < 0);
            list = at < 0 ? list.Add(new LookupCandidate(n, CandidateState.Waiting)) : list.Insert(at, new LookupCandidate(n, CandidateState.Waiting));
        }

        while (list.Count > MaxCandidates)
        {
            // Drop the farthest that is not in flight (an answer to it would find no candidate and be ignored anyway).
            var drop = list.FindLastIndex(c => c.State != CandidateState.Asked);
            if (drop < 0)
            {
                break;
            }

            list = list.RemoveAt(drop);
        }

        return this with { Candidates = list };
    }
}
