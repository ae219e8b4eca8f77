using System.Net;
using Swarm.Protocol.Utp;

namespace Swarm.Protocol.Tests.Utp;

/// <summary>A pure network between two uTP endpoints, driven by a clock the test advances: fixed one-way delay, random
/// extra delay (which reorders), random loss, and optionally a bottleneck of fixed rate whose queue adds delay.</summary>
internal sealed class SimulatedLink(Random random, long delay, long jitter, double loss, long bytesPerSecond = 0, long maxQueueDelay = long.MaxValue)
{
    private readonly PriorityQueue<(byte[] Bytes, IPEndPoint From, IPEndPoint To), long> _inTransit = new();
    private readonly Dictionary<IPEndPoint, long> _busyUntil = [];

    public long Sent { get; private set; }

    public long Lost { get; private set; }

    /// <summary>The queuing delay the last packet met at the bottleneck.</summary>
    public long LastQueueDelay { get; private set; }

    public long NextDelivery => _inTransit.TryPeek(out _, out var at) ? at : long.MaxValue;

    public void Send(byte[] bytes, IPEndPoint from, IPEndPoint to, long now)
    {
        Sent++;
        var at = now;
        if (bytesPerSecond > 0)
        {
            var start = Math.Max(now, _busyUntil.GetValueOrDefault(from));
            if (start - now > maxQueueDelay)
            {
                Lost++;
                return;
            }

            LastQueueDelay = start - now;
            at = start + (bytes.Length * 1_000_000L / bytesPerSecond);
            _busyUntil[from] = at;
        }

        if (random.NextDouble() < loss)
        {
            Lost++;
            return;
        }

        _inTransit.Enqueue((bytes, from, to), at + delay + (jitter > 0 ? random.NextInt64(jitter) : 0));
    }

    public IEnumerable<(byte[] Bytes, IPEndPoint From, IPEndPoint To)> Due(long now)
    {
        while (_inTransit.TryPeek(out var d, out var at) && at <= now)
        {
            _inTransit.Dequeue();
            yield return d;
        }
    }
}

/// <summary>Two <see cref="UtpMultiplexer"/>s joined by a <see cref="SimulatedLink"/>; A dials B. B's datagrams can be
/// rewritten on the way, to play a peer whose packets differ from ours in what the spec leaves open.</summary>
internal sealed class SimulatedPair
{
    public static readonly IPEndPoint AddressA = new(IPAddress.Parse("10.0.0.1"), 6881);
    public static readonly IPEndPoint AddressB = new(IPAddress.Parse("10.0.0.2"), 6882);

    private readonly SimulatedLink _link;
    private readonly Func<byte[], byte[]> _rewriteFromB;

    public SimulatedPair(SimulatedLink link, UtpOptions? options = null, Random? randomA = null, Random? randomB = null, Func<byte[], byte[]>? rewriteFromB = null)
    {
        _link = link;
        _rewriteFromB = rewriteFromB ?? (bytes => bytes);
        A = new UtpMultiplexer(options ?? UtpOptions.Default, new UtpLimits(), randomA ?? new Random(1));
        B = new UtpMultiplexer(options ?? UtpOptions.Default, new UtpLimits(), randomB ?? new Random(2));
    }

    public UtpMultiplexer A { get; }

    public UtpMultiplexer B { get; }

    public long Now { get; private set; }

    /// <summary>Sends every outgoing datagram of both sides into the link.</summary>
    public void Pump()
    {
        foreach (var (bytes, to) in A.TakeOutgoing())
        {
            _link.Send(bytes, AddressA, to, Now);
        }

        foreach (var (bytes, to) in B.TakeOutgoing())
        {
            _link.Send(_rewriteFromB(bytes), AddressB, to, Now);
        }
    }

    /// <summary>Moves the clock to the next delivery or timer (never past <paramref name="limit"/>), delivers what is
    /// due and runs the timers. False when nothing at all is pending.</summary>
    public bool Step(long limit)
    {
        Pump();
        var next = Math.Min(_link.NextDelivery, Math.Min(A.NextDeadline, B.NextDeadline));
        if (next == long.MaxValue)
        {
            return false;
        }

        Now = Math.Min(Math.Max(Now, next), limit);
        foreach (var (bytes, from, to) in _link.Due(Now))
        {
            (to.Equals(AddressA) ? A : B).Receive(bytes, from, Now);
        }

        A.Flush(Now);
        B.Flush(Now);
        A.Tick(Now);
        B.Tick(Now);
        Pump();
        return true;
    }
}

/// <summary>libtorrent's way of sizing a selective ack: as many bytes as reach its last packet held out of order
/// (<c>(span + 7) / 8</c> in utp_stream.cpp), not the multiple of 4 BEP 29 asks for. Rewrites one of our datagrams (whose
/// only extension is the selective ack) byte by byte, so the codec under test is not used to build it.</summary>
internal static class LibtorrentSack
{
    public static byte[] Trim(byte[] datagram)
    {
        if (datagram.Length < UtpPacket.HeaderSize + 2 || datagram[1] != UtpPacket.SelectiveAckExtension)
        {
            return datagram;
        }

        var at = UtpPacket.HeaderSize;
        var length = datagram[at + 1];
        var mask = datagram.AsSpan(at + 2, length);
        var used = Math.Max(1, mask.LastIndexOfAnyExcept((byte)0) + 1);
        if (used == length)
        {
            return datagram;
        }

        var trimmed = new byte[datagram.Length - (length - used)];
        datagram.AsSpan(0, at + 2 + used).CopyTo(trimmed);
        trimmed[at + 1] = (byte)used;
        datagram.AsSpan(at + 2 + length).CopyTo(trimmed.AsSpan(at + 2 + used));
        return trimmed;
    }
}

/// <summary>A random source that always draws <paramref name="value"/> (within range), to start connection ids and
/// sequence numbers just below the 16-bit wrap.</summary>
internal sealed class FixedRandom(int value) : Random
{
    public override int Next(int minValue, int maxValue) => Math.Clamp(value, minValue, maxValue - 1);
}
