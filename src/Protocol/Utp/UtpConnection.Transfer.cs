namespace Swarm.Protocol.Utp;

/// <summary>The moving parts of <see cref="UtpConnection"/>: receiving, sending, retransmitting on timeouts, closing (the
/// acks are in UtpConnection.Acks.cs).</summary>
public sealed partial class UtpConnection
{
    private const long MaxTimeout = 60_000_000;

    private int _dupAcks;
    private int _needResend;
    private long? _lingerUntil;

    /// <summary>Takes one packet addressed to this connection (the caller matched its connection id).</summary>
    public void Receive(UtpPacket p, long now)
    {
        if (IsFinished)
        {
            return;
        }

        if (p.Type == UtpType.Syn)
        {
            // The peer resends its SYN when our ack was lost: ack again, the same size as what it sent.
            if (State == UtpState.SynReceived && p.SeqNr == AckNr)
            {
                _replyMicros = unchecked((uint)now - p.TimestampMicros);
                SendState(now);
            }

            return;
        }

        if (p.Type == UtpType.Reset)
        {
            Fail(State == UtpState.SynSent ? "refused" : "reset by peer");
            return;
        }

        // An ack of a sequence number we never sent is forged or garbled: nothing in the packet is trusted.
        if (UtpSeq.Before((ushort)(SeqNr - 1), p.AckNr))
        {
            return;
        }

        if (State == UtpState.SynSent)
        {
            if (p.Type != UtpType.State || p.AckNr != (ushort)(SeqNr - 1))
            {
                return;
            }

            State = UtpState.Connected;
            AckNr = (ushort)(p.SeqNr - 1);
        }
        else if (State == UtpState.SynReceived)
        {
            State = UtpState.Connected;
        }

        _lastReceived = now;
        _replyMicros = unchecked((uint)now - p.TimestampMicros);
        _peerWindow = p.WindowSize;

        // A peer answering with a window too small for a packet is alive and says why it acks nothing: libtorrent drops
        // (but acks) what does not fit and never announces the window reopening, so our probes going unanswered are
        // not losses that count towards giving up; the timeout keeps doubling, and probes go on.
        if (p.WindowSize < _o.MaxPayload)
        {
            _timeouts = 0;
        }

        var lastAcked = (ushort)(_oldestUnacked - 1);
        var stale = UtpSeq.Before(p.AckNr, lastAcked);
        var acked = 0;
        var progress = false;
        if (!stale)
        {
            progress = UtpSeq.Before(lastAcked, p.AckNr);
            acked += AckCumulative(p.AckNr, now);
            if (p.SelectiveAck is { } mask)
            {
                var before = _inFlight.Count;
                acked += AckSelective(p.AckNr, mask, now);
                progress |= _inFlight.Count < before;
            }
        }

        if (progress)
        {
            _dupAcks = 0;
            _timeouts = 0;
            _timeoutAt = _inFlight.Count > 0 ? now + Rto : null;
            if (acked > 0 && p.TimestampDifferenceMicros != 0)
            {
                OnAcked(acked, p.TimestampDifferenceMicros, now);
            }
        }
        else if (!stale && p.Type == UtpType.State && p.AckNr == lastAcked && _inFlight.Count > 0 && ++_dupAcks == _o.DupAckLimit
            && _inFlight.TryGetValue(_oldestUnacked, out var oldest) && !oldest.FastResent)
        {
            MarkLost(oldest, _oldestUnacked, fast: true);
        }

        if (p.Type is UtpType.Data or UtpType.Fin)
        {
            OnData(p);
        }

        CheckClosed(now);
    }

    /// <summary>Sends what the windows allow: retransmissions first, then new data, then FIN, else a pending ack.</summary>
    public void Flush(long now)
    {
        if (IsFinished)
        {
            // The ack of the peer's FIN that closed us still goes out.
            if (State == UtpState.Closed && _ackPending)
            {
                Emit(Header(UtpType.State, SeqNr, now), now);
            }

            _ackPending = false;
            return;
        }

        var sent = false;
        _windowFull = false;
        if (_needResend > 0)
        {
            for (var seq = _oldestUnacked; seq != SeqNr && _needResend > 0; seq++)
            {
                if (!_inFlight.TryGetValue(seq, out var s) || !s.NeedsResend)
                {
                    continue;
                }

                if (seq != _oldestUnacked && _bytesInFlight + s.Size > AllowedWindow)
                {
                    _windowFull = true;
                    break;
                }

                s.NeedsResend = false;
                _needResend--;
                s.Transmissions++;
                s.SentAt = now;
                _bytesInFlight += s.Size;
                Emit(Header(s.Type, seq, now, s.Payload, SelectiveAckMask()), now);
                sent = true;
            }
        }

        while (State == UtpState.Connected && _sendQueue.Count > 0 && _needResend == 0 && _finSeq is null)
        {
            var size = Math.Min(_o.MaxPayload, _sendQueue.Count);
            if (_inFlight.Count >= MaxPacketsInFlight)
            {
                _windowFull = true;
                break;
            }

            if (_bytesInFlight + size > AllowedWindow)
            {
                _windowFull = true;
                if (_bytesInFlight > 0 || _peerWindow >= size)
                {
                    break;
                }

                // The peer advertised a closed window and nothing is out that would bring news of it reopening:
                // probe with one packet per timeout, as BEP 29 allows.
                if (_zeroWindowProbeAt == long.MaxValue)
                {
                    _zeroWindowProbeAt = now + Rto;
                }

                if (now < _zeroWindowProbeAt)
                {
                    break;
                }

                _zeroWindowProbeAt = long.MaxValue;
            }

            var payload = new byte[size];
            _sendQueue.Dequeue(payload);
            SendNew(UtpType.Data, payload, now);
            sent = true;
        }

        if (_sendQueue.Count == 0 || _bytesInFlight > 0)
        {
            _zeroWindowProbeAt = long.MaxValue;
        }

        if (_closeRequested && _finSeq is null && _sendQueue.Count == 0 && State == UtpState.Connected)
        {
            _finSeq = SeqNr;
            SendNew(UtpType.Fin, ReadOnlyMemory<byte>.Empty, now);
            sent = true;
        }

        if (_ackPending && !sent && State is UtpState.Connected or UtpState.SynReceived)
        {
            SendState(now);
        }

        _ackPending = false;
    }

    /// <summary>Retransmit timeouts, the half-open and idle limits, keepalive, the end of a closing linger; then
    /// <see cref="Flush"/>.</summary>
    public void Tick(long now)
    {
        if (IsFinished)
        {
            return;
        }

        if (now - _lastReceived >= (State == UtpState.SynReceived ? _o.HalfOpenTimeout : _o.IdleTimeout))
        {
            Fail(State == UtpState.SynReceived ? "half-open connection timed out" : "peer silent");
            return;
        }

        if (_timeoutAt is { } t && now >= t)
        {
            if (_inFlight.Count == 0)
            {
                _timeoutAt = null;
            }
            else
            {
                _timeouts++;
                if (_timeouts > (State == UtpState.SynSent ? _o.SynResends : _o.DataResends))
                {
                    Fail(State == UtpState.SynSent ? "no answer to SYN" : "timed out");
                    return;
                }

                Rto = Math.Min(Rto * 2, MaxTimeout);
                foreach (var (seq, s) in _inFlight)
                {
                    MarkLost(s, seq, fast: false);
                }

                OnTimeout();
                _timeoutAt = now + Rto;
            }
        }

        CheckClosed(now);
        if (IsFinished)
        {
            return;
        }

        if (State == UtpState.Connected && now - _lastSent >= _o.Keepalive)
        {
            _ackPending = true;
        }

        Flush(now);
    }

    private int AllowedWindow => (int)Math.Min(Window, _peerWindow);

    /// <summary>Half the sequence space we let a peer buffer ahead, so its reordering never has to guess a wrap.</summary>
    private int MaxPacketsInFlight => _o.MaxReorder / 2;

    private void SendNew(UtpType type, ReadOnlyMemory<byte> payload, long now)
    {
        var seq = SeqNr;
        SeqNr++;
        _inFlight[seq] = new Sent(type, payload, now);
        _bytesInFlight += payload.Length;
        _bytesQueuedInFlight += payload.Length;
        _timeoutAt ??= now + Rto;
        Emit(Header(type, seq, now, payload, type == UtpType.Syn ? null : SelectiveAckMask()), now);
    }

    private void SendState(long now) => Emit(Header(UtpType.State, SeqNr, now, default, SelectiveAckMask()), now);

    private void Emit(UtpPacket p, long now)
    {
        _outbox.Add(p.Encode());
        _lastSent = now;
        _ackPending = false;
    }

    private void OnData(UtpPacket p)
    {
        // Every data packet is acked, duplicates too: their sender may have lost our ack.
        _ackPending = true;
        var d = UtpSeq.Distance(AckNr, p.SeqNr);
        if (d == 0 || d >= 0x8000 || d > _o.MaxReorder || (_peerFinSeq is { } fin && UtpSeq.Before(fin, p.SeqNr)))
        {
            return;
        }

        if (p.Type == UtpType.Fin)
        {
            _peerFinSeq ??= p.SeqNr;
        }

        if (d == 1)
        {
            if (p.Payload.Length > AdvertisedWindow)
            {
                return;
            }

            if (!_readerGone)
            {
                _readable.Enqueue(p.Payload.Span);
            }

            AckNr = p.SeqNr;
            while (_peerFinSeq != AckNr)
            {
                var next = (ushort)(AckNr + 1);
                if (_reorder.Remove(next, out var b))
                {
                    _reorderBytes -= b.Length;
                    if (!_readerGone)
                    {
                        _readable.Enqueue(b);
                    }
                }
                else if (_peerFinSeq != next)
                {
                    break;
                }

                AckNr = next;
            }

            if (_peerFinSeq == AckNr && _reorder.Count > 0)
            {
                _reorder.Clear();
                _reorderBytes = 0;
            }
        }
        else if (p.Type == UtpType.Data && !_reorder.ContainsKey(p.SeqNr) && p.Payload.Length <= AdvertisedWindow)
        {
            _reorder[p.SeqNr] = p.Payload.ToArray();
            _reorderBytes += p.Payload.Length;
        }
    }

    /// <summary>Our FIN acked: done once the peer's FIN is in too, or, when nobody reads any more, after a short
    /// linger that lets the peer's last packets find us instead of a RESET.</summary>
    private void CheckClosed(long now)
    {
        if (_finSeq is null || _inFlight.Count > 0 || IsFinished)
        {
            return;
        }

        if (_peerFinSeq is { } f && AckNr == f)
        {
            Finish();
            return;
        }

        if (!_readerGone)
        {
            return;
        }

        _lingerUntil ??= now + Math.Max(_o.MinTimeout, 2 * Rto);
        if (now >= _lingerUntil)
        {
            Finish();
        }
    }
}
