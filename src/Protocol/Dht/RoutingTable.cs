using System.Collections.Immutable;
using System.Net;

namespace Swarm.Protocol.Dht;

/// <summary>A node in the table. Good: it answered within <see cref="RoutingTable.QuestionableAfter"/>; questionable:
/// silent longer; bad: it failed <see cref="RoutingTable.BadAfterFailures"/> queries in a row.</summary>
public sealed record TableNode(NodeId Id, IPEndPoint EndPoint, DateTimeOffset LastSeen, int Failures = 0, bool Confirmed = false)
{
    public DhtContact Contact => new(Id, EndPoint);
}

/// <summary>What <see cref="RoutingTable.Observe"/> did with a node, and which questionable node (if any) the caller
/// should ping: a full bucket keeps its nodes as long as they answer (old nodes stay online longest), and a newcomer
/// waits in the bucket's replacement cache until one fails.</summary>
public sealed record ObserveResult(RoutingTable Table, bool Added, TableNode? PingFirst);

/// <summary>The BEP 5 routing table of k-buckets, immutable: every change returns a new table. Buckets cover
/// ranges of the id space by how many leading bits a node shares with our id; only the last bucket (the one around our
/// own id) splits when full, so the table knows many nodes near us and few far away. At most one node per IP address
/// (per endpoint for the allowed local classes, where tests run many nodes on one address), so that one host cannot
/// fill the table with fake ids.</summary>
public sealed record RoutingTable
{
    public const int K = 8;
    public static readonly TimeSpan QuestionableAfter = TimeSpan.FromMinutes(15);
    public const int BadAfterFailures = 2;

    private RoutingTable(NodeId self, ImmutableList<Bucket> buckets)
    {
        Self = self;
        Buckets = buckets;
    }

    public NodeId Self { get; }

    /// <summary>Bucket i holds nodes sharing exactly i leading bits with us; the last holds every node sharing more.</summary>
    public ImmutableList<Bucket> Buckets { get; }

    public static RoutingTable Empty(NodeId self) => new(self, [Bucket.Empty]);

    public int Count => Buckets.Sum(b => b.Nodes.Count);

    public IEnumerable<TableNode> Nodes => Buckets.SelectMany(b => b.Nodes);

    public TableNode? Find(IPEndPoint endPoint) => Nodes.FirstOrDefault(n => n.EndPoint.Equals(endPoint));

    /// <summary>A node was heard from: <paramref name="answered"/> when it answered our query (it is confirmed reachable),
    /// else it queried us or another node named it (added, but only pinged nodes count as confirmed).</summary>
    public ObserveResult Observe(DhtContact contact, DateTimeOffset now, bool answered, bool perEndpoint = false)
    {
        if (contact.Id.Equals(Self))
        {
            return new(this, false, null);
        }

        var index = IndexOf(contact.Id);
        var bucket = Buckets[index];
        var existing = bucket.Nodes.FindIndex(n => n.Id.Equals(contact.Id));
        if (existing >= 0)
        {
            var old = bucket.Nodes[existing];
            if (!old.EndPoint.Equals(contact.EndPoint))
            {
                // Same id from another address: keep the one we know (an id is not proof of identity).
                return new(this, false, null);
            }

            var seen = answered ? old with { LastSeen = now, Failures = 0, Confirmed = true } : old;
            return new(With(index, bucket with { Nodes = bucket.Nodes.SetItem(existing, seen) }), false, null);
        }

        if (Nodes.Any(n => SameHost(n.EndPoint, contact.EndPoint, perEndpoint)))
        {
            return new(this, false, null);
        }

        var node = new TableNode(contact.Id, contact.EndPoint, now, 0, answered);
        if (bucket.Nodes.Count < K)
        {
            return new(With(index, bucket with { Nodes = bucket.Nodes.Add(node) }), true, null);
        }

        if (index == Buckets.Count - 1 && Buckets.Count < NodeId.Length * 8)
        {
            return Split().Observe(contact, now, answered, perEndpoint);
        }

        var bad = bucket.Nodes.FindIndex(n => n.Failures >= BadAfterFailures);
        if (bad >= 0)
        {
            return new(With(index, bucket with { Nodes = bucket.Nodes.SetItem(bad, node) }), true, null);
        }

        var cache = bucket.Replacements.RemoveAll(r => r.Id.Equals(node.Id) || SameHost(r.EndPoint, node.EndPoint, perEndpoint)).Add(node);
        if (cache.Count > K)
        {
            cache = cache.RemoveAt(0);
        }

        var questionable = bucket.Nodes.Where(n => now - n.LastSeen > QuestionableAfter || !n.Confirmed).OrderBy(n => n.LastSeen).FirstOrDefault();
        return new(With(index, bucket with { Replacements = cache }), false, questionable);
    }

    /// <summary>A query to <paramref name="endPoint"/> went unanswered: once bad, the node is replaced by the newest
    /// node of its bucket's replacement cache (if any; else it stays, marked bad, until a newcomer takes its place).</summary>
    public RoutingTable Failed(IPEndPoint endPoint)
    {
        for (var i = 0; i < Buckets.Count; i++)
        {
            var b = Buckets[i];
            var at = b.Nodes.FindIndex(n => n.EndPoint.Equals(endPoint));
            if (at < 0)
            {
                continue;
            }

            var failed = b.Nodes[at] with { Failures = b.Nodes[at].Failures + 1 };
            if (failed.Failures >= BadAfterFailures && b.Replacements.Count > 0)
            {
                var replacement = b.Replacements[^1];
                return With(i, new Bucket(b.Nodes.SetItem(at, replacement), b.Replacements.RemoveAt(b.Replacements.Count - 1)));
            }

            return With(i, b with { Nodes = b.Nodes.SetItem(at, failed) });
        }

        return this;
    }

    /// <summary>The <paramref name="count"/> nodes closest to <paramref name="target"/>, bad ones last-resort excluded.</summary>
    public IReadOnlyList<TableNode> Closest(NodeId target, int count = K) =>
        [.. Nodes.Where(n => n.Failures < BadAfterFailures).Order(Comparer<TableNode>.Create((a, b) => target.CompareDistance(a.Id, b.Id))).Take(count)];

    /// <summary>Nodes silent past <see cref="QuestionableAfter"/>, the oldest first: the caller pings them now and then.</summary>
    public IReadOnlyList<TableNode> Questionable(DateTimeOffset now, int count) =>
        [.. Nodes.Where(n => now - n.LastSeen > QuestionableAfter).OrderBy(n => n.LastSeen).Take(count)];

    public int IndexOf(NodeId id) => Math.Min(Self.CommonPrefixBits(id), Buckets.Count - 1);

    private RoutingTable With(int index, Bucket bucket) => new(Self, Buckets.SetItem(index, bucket));

    private RoutingTable Split()
    {
        var last = Buckets.Count - 1;
        var b = Buckets[last];
        var stay = b.Nodes.Where(n => Self.CommonPrefixBits(n.Id) == last).ToImmutableList();
        var move = b.Nodes.Where(n => Self.CommonPrefixBits(n.Id) > last).ToImmutableList();
        var stayCache = b.Replacements.Where(n => Self.CommonPrefixBits(n.Id) == last).ToImmutableList();
        var moveCache = b.Replacements.Where(n => Self.CommonPrefixBits(n.Id) > last).ToImmutableList();
        return new(Self, Buckets.SetItem(last, new Bucket(stay, stayCache)).Add(new Bucket(move, moveCache)));
    }

    private static bool SameHost(IPEndPoint a, IPEndPoint b, bool perEndpoint) => perEndpoint ? a.Equals(b) : a.Address.Equals(b.Address);
}

/// <summary>One k-bucket: at most <see cref="RoutingTable.K"/> nodes and as many waiting replacements.</summary>
public sealed record Bucket(ImmutableList<TableNode> Nodes, ImmutableList<TableNode> Replacements)
{
    public static Bucket Empty { get; } = new([], []);
}
