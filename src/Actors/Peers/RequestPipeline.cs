using System.Collections.Immutable;
using Swarm.Actors.Configuration;
using Swarm.Actors.Pieces;

namespace Swarm.Actors.Peers;

/// <summary>Our block requests to one peer: which are in flight and since when, how many we keep in flight (the depth,
/// adapted to the peer's rate and capped by its BEP 10 <c>reqq</c>), and whether an ask for more blocks is already with
/// the torrent. It is also the rule for what this peer may send us: a block is ours only if we asked this peer for
/// exactly that offset and length, or gave such a request up recently (an endgame cancel, a timeout or a choke races the
/// block on the wire). Immutable: every change returns the next pipeline, with what to do as values.</summary>
public sealed record RequestPipeline
{
    /// <summary>How many given-up requests are remembered when none is configured: a full pipeline at the default
    /// max-depth (500) discarded at once by a choke.</summary>
    public const int DefaultGivenUpCapacity = 512;

    private RequestPipeline(int depth, int givenUpCapacity)
    {
        Depth = depth;
        GivenUpCapacity = givenUpCapacity;
    }

    /// <summary>Requests we keep in flight, before the peer's own limit.</summary>
    public int Depth { get; private init; }

    /// <summary>The most requests the peer said it queues (BEP 10 <c>reqq</c>); unbounded until it says.</summary>
    public int PeerQueueLimit { get; private init; } = int.MaxValue;

    /// <summary>An ask for blocks is with the torrent: don't ask again until it answers (or a tick gives up on it).</summary>
    public bool AwaitingBlocks { get; private init; }

    public RequestTable Outstanding { get; private init; } = RequestTable.Empty;

    /// <summary>Requests we gave up on but whose block may still come: at most <see cref="GivenUpCapacity"/>, the
    /// oldest forgotten first.</summary>
    public ImmutableDictionary<(int Piece, int Begin), GivenUpRequest> GivenUp { get; private init; } = ImmutableDictionary<(int Piece, int Begin), GivenUpRequest>.Empty;

    public int GivenUpCapacity { get; }

    /// <summary>The given-up requests by the order they were given up in: the first is the oldest.</summary>
    private ImmutableSortedDictionary<long, (int Piece, int Begin)> GivenUpOrder { get; init; } = ImmutableSortedDictionary<long, (int Piece, int Begin)>.Empty;

    private long NextGivenUp { get; init; }

    private int Window => Math.Min(Depth, PeerQueueLimit);

    public static RequestPipeline Start(int initialDepth, int givenUpCapacity = DefaultGivenUpCapacity) => new(initialDepth, givenUpCapacity);

    public RequestPipeline WithPeerQueueLimit(int reqq) => this with { PeerQueueLimit = reqq };

    /// <summary>How many blocks to ask the torrent for now (0: none). Asks come in chunks, not block by block: one round
    /// trip to the torrent per quarter of the window.</summary>
    public (RequestPipeline Next, int Ask) AskForBlocks(bool canRequest)
    {
        if (!canRequest || AwaitingBlocks)
        {
            return (this, 0);
        }

        var room = Window - Outstanding.Count;
        return room >= Math.Max(1, Window / 4) ? (this with { AwaitingBlocks = true }, room) : (this, 0);
    }

    /// <summary>The torrent answered our ask (with blocks or without), or a tick decided the answer is lost.</summary>
    public RequestPipeline AskAnswered() => AwaitingBlocks ? this with { AwaitingBlocks = false } : this;

    public RequestPipeline Sent(BlockRef block, DateTimeOffset now) => Sent([block], now);

    /// <summary>The same as <see cref="Sent"/> for each block, in one step: one new table for an assignment, not
    /// one per block.</summary>
    public RequestPipeline Sent(IReadOnlyList<BlockRef> blocks, DateTimeOffset now)
    {
        if (blocks.Count == 0)
        {
            return this;
        }

        return this with { Outstanding = Outstanding.SetItems(blocks, now) };
    }

    /// <summary>A block of <paramref name="length"/> bytes arrived: is it one we asked this peer for? Requested and
    /// given-up blocks go on to the torrent (which drops those it no longer needs); an unrequested block, or one of
    /// another length than asked, must never reach a piece. A wrong answer to a request in flight also ends that
    /// request: <c>Released</c> is it, for another peer to serve.</summary>
    public (RequestPipeline Next, BlockVerdict Verdict, BlockRef? Released) Arrived(int piece, int begin, int length)
    {
        var key = (piece, begin);
        if (Outstanding.TryGetValue(key, out var sent))
        {
            var next = this with { Outstanding = Outstanding.Remove(key) };
            return sent.Length == length
                ? (next, BlockVerdict.Requested, null)
                : (next, BlockVerdict.WrongLength, new BlockRef(piece, begin, sent.Length));
        }

        if (GivenUp.TryGetValue(key, out var late))
        {
            return (Forget(key), late.Length == length ? BlockVerdict.GivenUp : BlockVerdict.WrongLength, null);
        }

        return (this, BlockVerdict.Unrequested, null);
    }

    /// <summary>Issue 14: <see cref="Arrived(int, int, int)"/> for each block of a run that came together, in order, in
    /// one step: the requests answered are marked and the table copied once, the given-up dictionaries changed through
    /// builders and frozen once, not once per block.</summary>
    /// <returns>Each block's verdict, and the requests in flight that a block of another length ended.</returns>
    public (RequestPipeline Next, BlockVerdict[] Verdicts, IReadOnlyList<BlockRef> Released) Arrived(IReadOnlyList<BlockRef> blocks)
    {
        var verdicts = new BlockVerdict[blocks.Count];
        bool[]? answered = null; // positions of Outstanding
        ImmutableDictionary<(int Piece, int Begin), GivenUpRequest>.Builder? givenUp = null;
        ImmutableSortedDictionary<long, (int Piece, int Begin)>.Builder? order = null;
        List<BlockRef>? released = null;
        for (var i = 0; i < blocks.Count; i++)
        {
            var b = blocks[i];
            var key = (b.Piece, b.Begin);
            var at = Outstanding.IndexOf(key);
            if (at >= 0 && answered?[at] != true)
            {
                (answered ??= new bool[Outstanding.Positions])[at] = true;
                var sent = Outstanding.ValueAt(at);
                if (sent.Length == b.Length)
                {
                    verdicts[i] = BlockVerdict.Requested;
                }
                else
                {
                    verdicts[i] = BlockVerdict.WrongLength;
                    (released ??= []).Add(new BlockRef(b.Piece, b.Begin, sent.Length));
                }

                continue;
            }

            if (givenUp is null && !GivenUp.ContainsKey(key))
            {
                verdicts[i] = BlockVerdict.Unrequested;
                continue;
            }

            givenUp ??= GivenUp.ToBuilder();
            order ??= GivenUpOrder.ToBuilder();
            if (givenUp.TryGetValue(key, out var late))
            {
                givenUp.Remove(key);
                order.Remove(late.Order);
                verdicts[i] = late.Length == b.Length ? BlockVerdict.GivenUp : BlockVerdict.WrongLength;
            }
            else
            {
                verdicts[i] = BlockVerdict.Unrequested;
            }
        }

        var next = this with
        {
            Outstanding = answered is null ? Outstanding : Outstanding.Without(answered),
            GivenUp = givenUp?.ToImmutable() ?? GivenUp,
            GivenUpOrder = order?.ToImmutable() ?? GivenUpOrder,
        };
        return (next, verdicts, released ?? (IReadOnlyList<BlockRef>)[]);
    }

    /// <summary>We cancelled the request: its block may still be on the wire, so it is remembered as given up.
    /// Returns whether it was in flight.</summary>
    public (RequestPipeline Next, bool WasOutstanding) Remove(int piece, int begin)
    {
        return Outstanding.TryGetValue((piece, begin), out var sent)
            ? ((this with { Outstanding = Outstanding.Remove((piece, begin)) }).GiveUp([new BlockRef(piece, begin, sent.Length)]), true)
            : (this, false);
    }

    /// <summary>The peer rejected the request (BEP 6): it said it will not send the block, so nothing is remembered.
    /// Returns the request as we sent it (its length is ours, not the reject's), or null if it was not ours: in
    /// flight, or given up (the usual answer to our cancel).</summary>
    public (RequestPipeline Next, BlockRef? Rejected) Reject(int piece, int begin)
    {
        var key = (piece, begin);
        if (Outstanding.TryGetValue(key, out var sent))
        {
            return (this with { Outstanding = Outstanding.Remove(key) }, new BlockRef(piece, begin, sent.Length));
        }

        return (GivenUp.ContainsKey(key) ? Forget(key) : this, null);
    }

    /// <summary>Everything in flight, given up (a choke without BEP 6 discards it, and so does closing).</summary>
    public (RequestPipeline Next, IReadOnlyList<BlockRef> Released) ReleaseAll()
    {
        if (Outstanding.IsEmpty)
        {
            return (this, []);
        }

        var released = Outstanding.Select(ToBlock).ToList();
        return ((this with { Outstanding = RequestTable.Empty }).GiveUp(released), released);
    }

    /// <summary>Requests unanswered for longer than <paramref name="timeout"/>, given up so that other peers get them.</summary>
    public (RequestPipeline Next, IReadOnlyList<BlockRef> Expired) Expire(DateTimeOffset now, TimeSpan timeout)
    {
        var expired = Outstanding.Where(kv => now - kv.Value.Sent > timeout).ToList();
        if (expired.Count == 0)
        {
            return (this, []);
        }

        var blocks = expired.Select(ToBlock).ToList();
        return ((this with { Outstanding = Outstanding.Remove(expired.Select(kv => kv.Key)) }).GiveUp(blocks), blocks);
    }

    /// <summary>Keeps enough requests in flight to cover <c>pipeline.seconds-of-data</c> at the measured download rate.
    /// A slower peer loses at most half the depth per tick, so one quiet interval does not empty the pipeline.</summary>
    /// <param name="roundTrip">The connection's round trip as the kernel measures it (null: unknown). Footprint (issue
    /// 14): below <c>pipeline.near-round-trip</c> (the same host, a LAN) the depth stops at <c>near-max-depth</c>. The
    /// requests a peer answers in one round trip are all a pipeline needs; a second of data is for far peers. A near peer
    /// is fast, so a second of its data was always max-depth, and when this node cannot keep up (loopback, one core
    /// each) what it asked for waits inside it: a 1 GiB get from libtorrent on 127.0.0.1 had up to 375 blocks received
    /// and not yet copied into their pieces, and ~30 piece buffers open (peak RSS 137-141 MiB at 500, 121-125 at 128).</param>
    public RequestPipeline Adapt(double downloadRate, PipelineSettings settings, int blockLength, TimeSpan? roundTrip = null)
    {
        var wanted = (int)(downloadRate * settings.SecondsOfData / blockLength);
        var max = roundTrip < settings.NearRoundTrip ? Math.Min(settings.NearMaxDepth, settings.MaxDepth) : settings.MaxDepth;
        return this with { Depth = Math.Clamp(Math.Max(wanted, Depth / 2), Math.Min(settings.MinDepth, max), max) };
    }

    /// <summary>Remembers requests given up, forgetting the oldest past the capacity: a peer choking and unchoking
    /// us in a loop cannot make the memory grow.</summary>
    private RequestPipeline GiveUp(IReadOnlyList<BlockRef> blocks)
    {
        if (GivenUpCapacity <= 0 || blocks.Count == 0)
        {
            return this;
        }

        var givenUp = GivenUp.ToBuilder();
        var order = GivenUpOrder.ToBuilder();
        var seq = NextGivenUp;
        foreach (var b in blocks)
        {
            var key = (b.Piece, b.Begin);
            if (givenUp.TryGetValue(key, out var old))
            {
                order.Remove(old.Order);
            }

            givenUp[key] = new GivenUpRequest(b.Length, seq);
            order[seq++] = key;
        }

        while (givenUp.Count > GivenUpCapacity)
        {
            var oldest = order.First();
            order.Remove(oldest.Key);
            givenUp.Remove(oldest.Value);
        }

        return this with { GivenUp = givenUp.ToImmutable(), GivenUpOrder = order.ToImmutable(), NextGivenUp = seq };
    }

    private RequestPipeline Forget((int Piece, int Begin) key) =>
        GivenUp.TryGetValue(key, out var g)
            ? this with { GivenUp = GivenUp.Remove(key), GivenUpOrder = GivenUpOrder.Remove(g.Order) }
            : this;

    private static BlockRef ToBlock(KeyValuePair<(int Piece, int Begin), InFlight> kv) => new(kv.Key.Piece, kv.Key.Begin, kv.Value.Length);

    /// <summary>One request in flight: the length asked for and when it was sent.</summary>
    public readonly record struct InFlight(int Length, DateTimeOffset Sent);

    /// <summary>A request given up: the length asked for, and when it was given up relative to the others.</summary>
    public readonly record struct GivenUpRequest(int Length, long Order);
}

/// <summary>What a block that arrived is to the connection that received it.</summary>
public enum BlockVerdict
{
    /// <summary>Answers a request in flight, with the length asked for.</summary>
    Requested,

    /// <summary>Answers a request we gave up recently (cancel, timeout, choke), with the length asked for.</summary>
    GivenUp,

    /// <summary>We never asked this peer for it (or forgot long ago): dropped.</summary>
    Unrequested,

    /// <summary>Answers one of our requests with another length than asked: dropped.</summary>
    WrongLength,
}
