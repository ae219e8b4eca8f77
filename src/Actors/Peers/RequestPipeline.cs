using System.Collections.Immutable;
using Swarm.Actors.Configuration;
using Swarm.Actors.Pieces;

namespace Swarm.Actors.Peers;

/// <summary>Our block requests to one peer: which are in flight and since when, how many we keep in flight (the depth,
/// adapted to the peer's rate and capped by its BEP 10 <c>reqq</c>), and whether an ask for more blocks is already with
/// the torrent. Immutable: every change returns the next pipeline, with what to do as values.</summary>
public sealed record RequestPipeline
{
    private RequestPipeline(int depth) => Depth = depth;

    /// <summary>Requests we keep in flight, before the peer's own limit.</summary>
    public int Depth { get; private init; }

    /// <summary>The most requests the peer said it queues (BEP 10 <c>reqq</c>); unbounded until it says.</summary>
    public int PeerQueueLimit { get; private init; } = int.MaxValue;

    /// <summary>An ask for blocks is with the torrent: don't ask again until it answers (or a tick gives up on it).</summary>
    public bool AwaitingBlocks { get; private init; }

    public ImmutableDictionary<(int Piece, int Begin), InFlight> Outstanding { get; private init; } = ImmutableDictionary<(int Piece, int Begin), InFlight>.Empty;

    private int Window => Math.Min(Depth, PeerQueueLimit);

    public static RequestPipeline Start(int initialDepth) => new(initialDepth);

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

    public RequestPipeline Sent(BlockRef block, DateTimeOffset now) =>
        this with { Outstanding = Outstanding.SetItem((block.Piece, block.Begin), new InFlight(block.Length, now)) };

    /// <summary>A block arrived: no longer in flight. Returns the length we asked for, or null if we had not asked
    /// (any more): blocks after a choke, cancel or timeout still count, the torrent drops those it no longer needs.</summary>
    public (RequestPipeline Next, int? RequestedLength) Arrived(int piece, int begin)
    {
        return Outstanding.TryGetValue((piece, begin), out var sent)
            ? (this with { Outstanding = Outstanding.Remove((piece, begin)) }, sent.Length)
            : (this, null);
    }

    /// <summary>We cancelled the request, or the peer rejected it (BEP 6). Returns whether it was in flight.</summary>
    public (RequestPipeline Next, bool WasOutstanding) Remove(int piece, int begin)
    {
        return Outstanding.ContainsKey((piece, begin))
            ? (this with { Outstanding = Outstanding.Remove((piece, begin)) }, true)
            : (this, false);
    }

    /// <summary>Everything in flight, given up (a choke without BEP 6 discards it, and so does closing).</summary>
    public (RequestPipeline Next, IReadOnlyList<BlockRef> Released) ReleaseAll()
    {
        if (Outstanding.IsEmpty)
        {
            return (this, []);
        }

        return (this with { Outstanding = Outstanding.Clear() }, [.. Outstanding.Select(ToBlock)]);
    }

    /// <summary>Requests unanswered for longer than <paramref name="timeout"/>, given up so that other peers get them.</summary>
    public (RequestPipeline Next, IReadOnlyList<BlockRef> Expired) Expire(DateTimeOffset now, TimeSpan timeout)
    {
        var expired = Outstanding.Where(kv => now - kv.Value.Sent > timeout).ToList();
        if (expired.Count == 0)
        {
            return (this, []);
        }

        return (this with { Outstanding = Outstanding.RemoveRange(expired.Select(kv => kv.Key)) }, [.. expired.Select(ToBlock)]);
    }

    /// <summary>Keeps enough requests in flight to cover <c>pipeline.seconds-of-data</c> at the measured download rate.
    /// A slower peer loses at most half the depth per tick, so one quiet interval does not empty the pipeline.</summary>
    public RequestPipeline Adapt(double downloadRate, PipelineSettings settings, int blockLength)
    {
        var wanted = (int)(downloadRate * settings.SecondsOfData / blockLength);
        return this with { Depth = Math.Clamp(Math.Max(wanted, Depth / 2), settings.MinDepth, settings.MaxDepth) };
    }

    private static BlockRef ToBlock(KeyValuePair<(int Piece, int Begin), InFlight> kv) => new(kv.Key.Piece, kv.Key.Begin, kv.Value.Length);

    /// <summary>One request in flight: the length asked for and when it was sent.</summary>
    public readonly record struct InFlight(int Length, DateTimeOffset Sent);
}
