namespace Swarm.Protocol.Utp;

/// <summary>Where a uTP connection stands.</summary>
public enum UtpState
{
    /// <summary>We sent a SYN and wait for its ack.</summary>
    SynSent,

    /// <summary>We acked a peer's SYN and have heard nothing since: half-open.</summary>
    SynReceived,

    Connected,

    /// <summary>Both sides are done, or our FIN was acked: nothing more will move.</summary>
    Closed,

    /// <summary>Refused, reset, or timed out; <see cref="UtpConnection.Error"/> says which.</summary>
    Failed,
}

/// <summary>One uTP connection (BEP 29) as a state machine without I/O: packets and the time (microseconds of a
/// monotonic clock) go in; datagrams to send (<see cref="TakeOutgoing"/>) and bytes to read come out. It numbers, acks
/// (cumulative and selective), reorders, drops duplicates, retransmits on timeout and on three duplicate acks, and paces
/// itself with LEDBAT (target queuing delay, base-delay history, gain) within the peer's advertised window.</summary>
public sealed partial class UtpConnection
{
    private readonly UtpOptions _o;
    private readonly List<byte[]> _outbox = [];
    private readonly ByteQueue _sendQueue = new();
    private readonly ByteQueue _readable = new();
    private readonly Dictionary<ushort, Sent> _inFlight = [];
    private readonly Dictionary<ushort, byte[]> _reorder = [];
    private int _reorderBytes;
    private ushort _oldestUnacked;
    private int _bytesInFlight;
    private uint _peerWindow;
    private uint _replyMicros;
    private bool _ackPending;
    private bool _closeRequested;
    private bool _readerGone;
    private ushort? _finSeq;
    private ushort? _peerFinSeq;
    private long _lastSent;
    private long _lastReceived;
    private readonly long _created;
    private long? _timeoutAt;
    private int _timeouts;
    private long _zeroWindowProbeAt = long.MaxValue;

    private UtpConnection(UtpOptions options, ushort recvId, ushort sendId, ushort seqNr, long now)
    {
        _o = options.Validated();
        RecvId = recvId;
        SendId = sendId;
        SeqNr = seqNr;
        _oldestUnacked = seqNr;
        _created = now;
        _lastReceived = now;
        _lastSent = now;
        Rto = _o.InitialTimeout;
        Window = 2 * _o.MaxPayload;
        _peerWindow = (uint)_o.MaxPayload;
    }

    /// <summary>The connection id our peer puts on the packets it sends us.</summary>
    public ushort RecvId { get; }

    /// <summary>The connection id we put on our packets (SYN excepted, which carries <see cref="RecvId"/>).</summary>
    public ushort SendId { get; }

    public UtpState State { get; private set; }

    public string? Error { get; private set; }

    /// <summary>The sequence number our next DATA or FIN takes.</summary>
    public ushort SeqNr { get; private set; }

    /// <summary>The last sequence number received in order.</summary>
    public ushort AckNr { get; private set; }

    /// <summary>Bytes ready for <see cref="Read"/>.</summary>
    public int Readable => _readable.Count;

    /// <summary>The peer sent FIN and every byte before it has been read.</summary>
    public bool AtEnd => _peerFinSeq is { } f && AckNr == f && _readable.Count == 0;

    /// <summary>How many more bytes <see cref="Write"/> takes now.</summary>
    public int Writable => State is UtpState.Closed or UtpState.Failed || _closeRequested ? 0 : Math.Max(0, _o.SendBuffer - _sendQueue.Count - _bytesQueuedInFlight);

    /// <summary>Everything written has been acknowledged (and nothing waits to be sent).</summary>
    public bool AllAcked => _sendQueue.Count == 0 && _inFlight.Count == 0;

    public bool IsFinished => State is UtpState.Closed or UtpState.Failed;

    public int BytesInFlight => _bytesInFlight;

    /// <summary>Starts a dial: the SYN is in the outbox. <paramref name="recvId"/> is chosen by the caller unique among
    /// its connections to the same peer; the peer will answer on it, and we send on <c>recvId + 1</c>.</summary>
    public static UtpConnection Connect(ushort recvId, ushort initialSeq, long now, UtpOptions options)
    {
        var c = new UtpConnection(options, recvId, (ushort)(recvId + 1), initialSeq, now) { State = UtpState.SynSent };
        c.SendNew(UtpType.Syn, ReadOnlyMemory<byte>.Empty, now);
        return c;
    }

    /// <summary>Accepts a peer's SYN: its ack (a STATE) is in the outbox and the connection is half-open until the peer
    /// sends again.</summary>
    public static UtpConnection Accept(UtpPacket syn, ushort initialSeq, long now, UtpOptions options)
    {
        if (syn.Type != UtpType.Syn)
        {
            throw new ArgumentException("Only a SYN opens a connection.", nameof(syn));
        }

        var c = new UtpConnection(options, (ushort)(syn.ConnectionId + 1), syn.ConnectionId, initialSeq, now)
        {
            State = UtpState.SynReceived,
            AckNr = syn.SeqNr,
        };
        c._peerWindow = syn.WindowSize;
        c._replyMicros = unchecked((uint)now - syn.TimestampMicros);
        c.SendState(now);
        return c;
    }

    /// <summary>The datagrams to send since the last call, in order.</summary>
    public IReadOnlyList<byte[]> TakeOutgoing()
    {
        if (_outbox.Count == 0)
        {
            return [];
        }

        var all = _outbox.ToArray();
        _outbox.Clear();
        return all;
    }

    /// <summary>Queues bytes for sending (sent by <see cref="Flush"/>); returns how many were taken (up to <see cref="Writable"/>).</summary>
    public int Write(ReadOnlySpan<byte> bytes)
    {
        var n = Math.Min(bytes.Length, Writable);
        _sendQueue.Enqueue(bytes[..n]);
        return n;
    }

    /// <summary>Takes received bytes in order; a reader freeing a closed window has the reopening announced.</summary>
    public int Read(Span<byte> destination)
    {
        var before = AdvertisedWindow;
        var n = _readable.Dequeue(destination);
        if (n > 0 && before < 2 * _o.MaxPayload && AdvertisedWindow >= 2 * _o.MaxPayload && State == UtpState.Connected)
        {
            _ackPending = true;
        }

        return n;
    }

    /// <summary>No more writes: a FIN follows the queued bytes; reading goes on until the peer's FIN.</summary>
    public void Shutdown()
    {
        if (State == UtpState.SynSent)
        {
            // Nothing was said yet; the peer's half-open entry for our SYN times out on its side.
            Fail("closed before connecting");
            return;
        }

        _closeRequested = true;
    }

    /// <summary>No more writes and no more reads: a FIN follows the queued bytes, and once it is acked the connection
    /// ends (after a short linger) whether or not the peer sent its own FIN.</summary>
    public void Close()
    {
        _readerGone = true;
        _readable.Dequeue(new byte[_readable.Count]);
        Shutdown();
    }

    /// <summary>Drops the connection at once, telling the peer with a RESET.</summary>
    public void Abort(long now)
    {
        if (IsFinished)
        {
            return;
        }

        _outbox.Add(Header(UtpType.Reset, SeqNr, now).Encode());
        Fail("aborted");
    }

    /// <summary>The next time <see cref="Tick"/> has something to do.</summary>
    public long NextDeadline
    {
        get
        {
            if (IsFinished)
            {
                return long.MaxValue;
            }

            var next = Math.Min(_lastReceived + (State == UtpState.SynReceived ? _o.HalfOpenTimeout : _o.IdleTimeout), _zeroWindowProbeAt);
            if (_timeoutAt is { } t)
            {
                next = Math.Min(next, t);
            }

            if (_lingerUntil is { } l)
            {
                next = Math.Min(next, l);
            }

            return State == UtpState.Connected ? Math.Min(next, _lastSent + _o.Keepalive) : next;
        }
    }

    private int AdvertisedWindow => Math.Max(0, _o.ReceiveBuffer - _readable.Count - _reorderBytes);

    private int _bytesQueuedInFlight;

    private sealed class Sent(UtpType type, ReadOnlyMemory<byte> payload, long sentAt)
    {
        public UtpType Type { get; } = type;

        public ReadOnlyMemory<byte> Payload { get; } = payload;

        public long SentAt { get; set; } = sentAt;

        public int Transmissions { get; set; } = 1;

        /// <summary>Counted lost (timeout or fast retransmit) and not in <c>_bytesInFlight</c> until sent again.</summary>
        public bool NeedsResend { get; set; }

        public bool FastResent { get; set; }

        public int Size => Payload.Length;
    }

    private UtpPacket Header(UtpType type, ushort seq, long now, ReadOnlyMemory<byte> payload = default, byte[]? sack = null) =>
        new(type, type == UtpType.Syn ? RecvId : SendId, unchecked((uint)now), _replyMicros, (uint)AdvertisedWindow, seq, AckNr, sack, payload);

    private void Fail(string why)
    {
        State = UtpState.Failed;
        Error ??= why;
        ReleaseBuffers();
    }

    private void Finish()
    {
        State = UtpState.Closed;
        ReleaseBuffers();
    }

    private void ReleaseBuffers()
    {
        _inFlight.Clear();
        _reorder.Clear();
        _reorderBytes = 0;
        _bytesInFlight = 0;
        _bytesQueuedInFlight = 0;
        _timeoutAt = null;
    }
}
