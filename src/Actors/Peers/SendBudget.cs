using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

/// <summary>The node-wide memory budget for messages queued to peers but not yet written to their sockets, and the
/// per-peer rule on top of it: a peer's queue may never pass <c>max-send-queue</c>, and beyond its guaranteed
/// share (<c>send-queue-guaranteed</c>) it only grows while the node budget has room. So a peer that stops reading
/// is cut off at its own bound, many such peers together at the node's, and a peer that reads (its queue stays
/// small) is never cut off because others filled the budget. Thread-safe: connections take from the actor thread
/// and give back from their write loops.</summary>
public sealed class SendBudget
{
    /// <summary>What one queued item costs besides its bytes: the message object, its channel slot and array header
    /// (measured, rounded up): a flood of tiny messages must not look free.</summary>
    public const int ItemOverhead = 64;

    private long _used;

    /// <param name="nodeBytes">The node-wide budget (<c>send-budget</c>).</param>
    /// <param name="perPeerBytes">A peer's hard bound (<c>max-send-queue</c>).</param>
    /// <param name="guaranteedBytes">What a peer may queue even when the node budget is spent (<c>send-queue-guaranteed</c>).</param>
    public SendBudget(long nodeBytes, long perPeerBytes, long guaranteedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nodeBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perPeerBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(guaranteedBytes);
        NodeBytes = nodeBytes;
        PerPeerBytes = perPeerBytes;
        GuaranteedBytes = Math.Min(guaranteedBytes, perPeerBytes);
    }

    public long NodeBytes { get; }

    public long PerPeerBytes { get; }

    public long GuaranteedBytes { get; }

    /// <summary>Bytes queued over all peers now.</summary>
    public long Used => Interlocked.Read(ref _used);

    /// <summary>The memory a queued message holds until it is written.</summary>
    public static int CostOf(PeerMessage message) => ItemOverhead + message switch
    {
        Bitfield b => b.Bits.Length,
        Extended x => x.Payload.Length,
        PieceBlock p => p.Data.Length,
        _ => 0,
    };

    /// <summary>Takes <paramref name="bytes"/> for a peer that has <paramref name="peerQueued"/> queued already;
    /// false (nothing taken) when the peer would pass its bound, or the node budget is spent and the peer is past
    /// its guaranteed share.</summary>
    public bool TryTake(long peerQueued, int bytes)
    {
        var after = peerQueued + bytes;
        if (after > PerPeerBytes)
        {
            return false;
        }

        while (true)
        {
            var used = Interlocked.Read(ref _used);
            // Within its guaranteed share a peer may run the budget over: that debt is bounded by connections times
            // the share, and it keeps honest peers talking while a flood holds the rest.
            if (used + bytes > NodeBytes && after > GuaranteedBytes)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
            {
                return true;
            }
        }
    }

    public void Return(long bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _used, -bytes);
        }
    }
}
