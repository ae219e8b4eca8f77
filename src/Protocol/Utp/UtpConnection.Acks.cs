namespace Swarm.Protocol.Utp;

/// <summary>The acknowledgements of <see cref="UtpConnection"/>: what the peer's cumulative and selective acks say
/// reached it (its round trip, the window it frees) or was lost (resent fast after three duplicate acks, as TCP), and
/// the selective ack we send for what waits in our reorder buffer.</summary>
public sealed partial class UtpConnection
{
    private int AckCumulative(ushort ackNr, long now)
    {
        var acked = 0;
        while (UtpSeq.AtOrBefore(_oldestUnacked, ackNr))
        {
            if (_inFlight.Remove(_oldestUnacked, out var s))
            {
                acked += Account(s, now);
            }

            _oldestUnacked++;
        }

        return acked;
    }

    private int AckSelective(ushort ackNr, byte[] mask, long now)
    {
        var acked = 0;
        var highest = -1;
        for (var i = 0; i < mask.Length * 8; i++)
        {
            var seq = (ushort)(ackNr + 2 + i);
            if (!UtpSeq.Before(seq, SeqNr))
            {
                break;
            }

            if ((mask[i / 8] & (1 << (i % 8))) != 0)
            {
                highest = i;
                if (_inFlight.Remove(seq, out var s))
                {
                    acked += Account(s, now);
                }
            }
        }

        // A packet with DupAckLimit or more selectively acked packets after it is lost (fast retransmit).
        var after = 0;
        for (var i = highest; i >= -1; i--)
        {
            if (i >= 0 && (mask[i / 8] & (1 << (i % 8))) != 0)
            {
                after++;
                continue;
            }

            var seq = (ushort)(ackNr + 2 + i);
            if (after >= _o.DupAckLimit && _inFlight.TryGetValue(seq, out var lost) && !lost.FastResent)
            {
                MarkLost(lost, seq, fast: true);
            }
        }

        return acked;
    }

    private int Account(Sent s, long now)
    {
        if (s.NeedsResend)
        {
            _needResend--;
        }
        else
        {
            _bytesInFlight -= s.Size;
        }

        _bytesQueuedInFlight -= s.Size;
        if (s.Transmissions == 1)
        {
            RttSample(now - s.SentAt);
        }

        return s.Size;
    }

    private void MarkLost(Sent s, ushort seq, bool fast)
    {
        if (!s.NeedsResend)
        {
            s.NeedsResend = true;
            _needResend++;
            _bytesInFlight -= s.Size;
        }

        if (fast)
        {
            s.FastResent = true;
            OnLoss(seq);
        }
    }

    /// <summary>The selective ack of what sits in the reorder buffer, or null when nothing does.</summary>
    private byte[]? SelectiveAckMask()
    {
        if (_reorder.Count == 0)
        {
            return null;
        }

        var maxIndex = 0;
        foreach (var seq in _reorder.Keys)
        {
            maxIndex = Math.Max(maxIndex, UtpSeq.Distance(AckNr, seq) - 2);
        }

        var length = Math.Min(UtpPacket.MaxSelectiveAckBytes, ((maxIndex / 32) + 1) * 4);
        var mask = new byte[length];
        foreach (var seq in _reorder.Keys)
        {
            var i = UtpSeq.Distance(AckNr, seq) - 2;
            if (i >= 0 && i < length * 8)
            {
                mask[i / 8] |= (byte)(1 << (i % 8));
            }
        }

        return mask;
    }
}
