using System.Net;

namespace Swarm.Protocol.Utp;

/// <summary>Admission limits of a uTP endpoint.</summary>
/// <param name="AcceptIncoming">Accept SYNs at all; when off, a SYN is answered with RESET like a closed port.</param>
/// <param name="MaxHalfOpen">Accepted connections that have not spoken since their SYN; further SYNs are dropped
/// unanswered, so a SYN flood holds at most this many entries and draws no reply beyond them.</param>
/// <param name="MaxConnections">All connections of the endpoint; a SYN beyond is dropped.</param>
/// <param name="ResetsPerSecond">RESETs (each no larger than the packet that drew it) sent at most this often, so a
/// forged source cannot use us as a reflector at any useful rate.</param>
public sealed record UtpLimits(bool AcceptIncoming = true, int MaxHalfOpen = 32, int MaxConnections = 512, int ResetsPerSecond = 50);

/// <summary>The uTP connections of one UDP socket, without I/O: datagrams come in with their source and the time,
/// datagrams to send come out with their destination. It routes packets by (address, connection id), accepts SYNs
/// within its limits, answers packets for unknown connections with RESET, and drops whatever does not decode.</summary>
public sealed class UtpMultiplexer(UtpOptions options, UtpLimits limits, Random random)
{
    private const long Second = 1_000_000;

    private readonly Dictionary<(IPEndPoint, ushort), UtpConnection> _byKey = [];
    private readonly Dictionary<UtpConnection, IPEndPoint> _remote = [];
    private readonly List<(byte[] Bytes, IPEndPoint To)> _outbox = [];
    private readonly List<UtpConnection> _accepted = [];
    private readonly HashSet<UtpConnection> _touched = [];
    private readonly HashSet<UtpConnection> _halfOpen = [];
    private long? _resetWindowStart;
    private int _resetsInWindow;

    public int Count => _byKey.Count;

    public int HalfOpen => _halfOpen.Count;

    /// <summary>Datagrams that did not decode.</summary>
    public long Malformed { get; private set; }

    /// <summary>SYNs dropped for the half-open or connection limit.</summary>
    public long SynsDropped { get; private set; }

    public long ResetsSent { get; private set; }

    public IEnumerable<UtpConnection> Connections => _remote.Keys;

    public IPEndPoint RemoteOf(UtpConnection c) => _remote[c];

    /// <summary>Opens a connection to <paramref name="remote"/>; its SYN is in the outbox.</summary>
    public UtpConnection Connect(IPEndPoint remote, long now)
    {
        ushort recvId;
        do
        {
            recvId = (ushort)random.Next(0, 0x10000);
        }
        while (_byKey.ContainsKey((remote, recvId)) || _byKey.ContainsKey((remote, (ushort)(recvId + 1))));

        var c = UtpConnection.Connect(recvId, (ushort)random.Next(0, 0x10000), now, options);
        Add(remote, c);
        return c;
    }

    /// <summary>Takes one datagram from <paramref name="from"/>.</summary>
    public void Receive(ReadOnlyMemory<byte> datagram, IPEndPoint from, long now)
    {
        var p = UtpPacket.TryDecode(datagram);
        if (p is null)
        {
            Malformed++;
            return;
        }

        // A SYN names the initiator's receive id; we answer and listen on the id after it.
        var id = p.Type == UtpType.Syn ? (ushort)(p.ConnectionId + 1) : p.ConnectionId;
        if (_byKey.TryGetValue((from, id), out var c) || (p.Type == UtpType.Reset && TryFindBySendId(from, id, out c)))
        {
            c.Receive(p, now);
            if (c.State != UtpState.SynReceived)
            {
                _halfOpen.Remove(c);
            }

            _touched.Add(c);
            return;
        }

        if (p.Type == UtpType.Reset)
        {
            return;
        }

        if (p.Type != UtpType.Syn || !Accepting)
        {
            SendReset(p, from, now);
            return;
        }

        if (HalfOpen >= limits.MaxHalfOpen || _byKey.Count >= limits.MaxConnections)
        {
            SynsDropped++;
            return;
        }

        var accepted = UtpConnection.Accept(p, (ushort)random.Next(0, 0x10000), now, options);
        Add(from, accepted);
        _halfOpen.Add(accepted);
        _accepted.Add(accepted);
    }

    /// <summary>Flushes every connection touched since the last call (acks go out once per batch of datagrams) and
    /// returns them.</summary>
    public IReadOnlyList<UtpConnection> Flush(long now)
    {
        var touched = _touched.ToArray();
        _touched.Clear();
        foreach (var c in touched)
        {
            c.Flush(now);
            Collect(c);
        }

        return touched;
    }

    /// <summary>Whether SYNs are accepted now (a node accepts once its peer listener is up).</summary>
    public bool Accepting { get; set; } = limits.AcceptIncoming;

    /// <summary>Flushes one connection (after the application wrote to it or read from it).</summary>
    public void Flush(UtpConnection c, long now)
    {
        if (!_remote.ContainsKey(c))
        {
            return;
        }

        c.Flush(now);
        Collect(c);
    }

    /// <summary>Runs the timers of every connection whose deadline has come, then drops finished connections and
    /// returns them.</summary>
    public IReadOnlyList<UtpConnection> Tick(long now)
    {
        List<UtpConnection>? finished = null;
        foreach (var c in _remote.Keys)
        {
            if (c.NextDeadline <= now)
            {
                c.Tick(now);
            }

            Collect(c);
            if (c.IsFinished)
            {
                (finished ??= []).Add(c);
            }
        }

        foreach (var c in finished ?? [])
        {
            Remove(c);
        }

        return (IReadOnlyList<UtpConnection>?)finished ?? [];
    }

    /// <summary>Forgets a connection now (its owner is gone); a live one is reset first.</summary>
    public void Remove(UtpConnection c, long now)
    {
        if (!_remote.ContainsKey(c))
        {
            return;
        }

        c.Abort(now);
        Collect(c);
        Remove(c);
    }

    /// <summary>The earliest deadline among the connections.</summary>
    public long NextDeadline => _remote.Keys.Select(c => c.NextDeadline).DefaultIfEmpty(long.MaxValue).Min();

    public IReadOnlyList<(byte[] Bytes, IPEndPoint To)> TakeOutgoing()
    {
        var all = _outbox.ToArray();
        _outbox.Clear();
        return all;
    }

    /// <summary>Connections accepted since the last call.</summary>
    public IReadOnlyList<UtpConnection> TakeAccepted()
    {
        var all = _accepted.ToArray();
        _accepted.Clear();
        return all;
    }

    private void Add(IPEndPoint remote, UtpConnection c)
    {
        _byKey[(remote, c.RecvId)] = c;
        _remote[c] = remote;
        Collect(c);
    }

    private void Remove(UtpConnection c)
    {
        var remote = _remote[c];
        _remote.Remove(c);
        _byKey.Remove((remote, c.RecvId));
        _touched.Remove(c);
        _accepted.Remove(c);
        _halfOpen.Remove(c);
    }

    /// <summary>Peers differ in which id a RESET carries (ours to receive or to send on); both are honoured.</summary>
    private bool TryFindBySendId(IPEndPoint from, ushort sendId, out UtpConnection c)
    {
        foreach (var (candidate, remote) in _remote)
        {
            if (candidate.SendId == sendId && remote.Equals(from))
            {
                c = candidate;
                return true;
            }
        }

        c = null!;
        return false;
    }

    private void Collect(UtpConnection c)
    {
        var remote = _remote[c];
        foreach (var d in c.TakeOutgoing())
        {
            _outbox.Add((d, remote));
        }
    }

    private void SendReset(UtpPacket p, IPEndPoint to, long now)
    {
        if (_resetWindowStart is not { } start || now - start >= Second)
        {
            _resetWindowStart = now;
            _resetsInWindow = 0;
        }

        if (++_resetsInWindow > limits.ResetsPerSecond)
        {
            return;
        }

        ResetsSent++;
        var reset = new UtpPacket(UtpType.Reset, p.ConnectionId, unchecked((uint)now), 0, 0, (ushort)random.Next(0, 0x10000), p.SeqNr, null, default);
        _outbox.Add((reset.Encode(), to));
    }
}
