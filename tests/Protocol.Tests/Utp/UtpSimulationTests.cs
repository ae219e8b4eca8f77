using Swarm.Protocol.Utp;
using Xunit;

namespace Swarm.Protocol.Tests.Utp;

/// <summary>Whole transfers between two uTP endpoints over a simulated link, on a clock advanced by hand.</summary>
public sealed class UtpSimulationTests
{
    private const long Second = 1_000_000;

    [Fact]
    public void Multi_mebibyte_transfer_is_byte_exact_both_ways_over_loss_reordering_and_delay()
    {
        var link = new SimulatedLink(new Random(42), delay: 100_000, jitter: 30_000, loss: 0.05);
        var pair = new SimulatedPair(link);
        var ab = Payload(3 * 1024 * 1024, 1);
        var ba = Payload(2 * 1024 * 1024, 2);

        var (gotAtB, gotAtA, a, b) = Transfer(pair, ab, ba, limit: 3600 * Second);

        Assert.Equal(ab, gotAtB);
        Assert.Equal(ba, gotAtA);
        Assert.Equal(UtpState.Closed, a.State);
        Assert.Equal(UtpState.Closed, b.State);
        Assert.True(link.Lost > 100, $"the link lost {link.Lost} of {link.Sent} packets");
        Assert.Equal(0, pair.A.Count);
        Assert.Equal(0, pair.B.Count);
    }

    /// <summary>The upload stall against libtorrent (issue 16): after a loss its acks carry a selective ack of
    /// ceil(span / 8) bytes, which we refused as malformed while it was not a multiple of 4. Every ack then vanished
    /// until the sender ran out of retransmit timeouts, and libtorrent, whose own packets carried the same mask, timed
    /// out too.</summary>
    [Fact]
    public void Transfer_completes_when_the_peer_sizes_its_selective_acks_as_libtorrent_does()
    {
        var link = new SimulatedLink(new Random(11), delay: 20_000, jitter: 5_000, loss: 0.05);
        var pair = new SimulatedPair(link, rewriteFromB: LibtorrentSack.Trim);
        var ab = Payload(2 * 1024 * 1024, 5);

        var (gotAtB, _, a, b) = Transfer(pair, ab, [], limit: 3600 * Second);

        Assert.Equal(ab, gotAtB);
        Assert.Equal(UtpState.Closed, a.State);
        Assert.Equal(UtpState.Closed, b.State);
        Assert.True(link.Lost > 50, $"the link lost {link.Lost} of {link.Sent} packets");
        Assert.Equal(0, pair.A.Malformed);
    }

    [Fact]
    public void Sequence_numbers_wrap_without_losing_or_repeating_a_byte()
    {
        // Both sides start their sequence numbers (and connection ids) 16 below the wrap, so it comes early.
        var link = new SimulatedLink(new Random(7), delay: 10_000, jitter: 5_000, loss: 0.02);
        var pair = new SimulatedPair(link, randomA: new FixedRandom(0xFFF0), randomB: new FixedRandom(0xFFF0));
        var ab = Payload(1024 * 1024, 3);
        var ba = Payload(512 * 1024, 4);

        var (gotAtB, gotAtA, a, b) = Transfer(pair, ab, ba, limit: 3600 * Second);

        Assert.Equal(ab, gotAtB);
        Assert.Equal(ba, gotAtA);
        Assert.Equal(UtpState.Closed, a.State);
        Assert.True(a.SeqNr < 0xFFF0, $"A's sequence number {a.SeqNr} did not wrap");
        Assert.True(b.SeqNr < 0xFFF0, $"B's sequence number {b.SeqNr} did not wrap");
    }

    [Fact]
    public void Congestion_window_backs_off_when_queuing_delay_passes_the_target()
    {
        // A 1 MB/s bottleneck with a deep buffer: slow start overfills it, the queuing delay passes 100 ms, and LEDBAT
        // must shrink the window until the queue drains back near the target.
        var link = new SimulatedLink(new Random(5), delay: 25_000, jitter: 0, loss: 0, bytesPerSecond: 1_000_000, maxQueueDelay: 2 * Second);
        var pair = new SimulatedPair(link);
        var a = pair.A.Connect(SimulatedPair.AddressB, 0);
        UtpConnection? b = null;
        var maxWindow = 0;
        var sawDelayOverTarget = false;
        var shrankAfterDelay = false;
        var queueAtEnd = new List<long>();
        var data = Payload(64 * 1024, 9);
        var buffer = new byte[64 * 1024];
        while (pair.Now < 60 * Second)
        {
            b ??= pair.B.TakeAccepted().SingleOrDefault();
            while (a.Writable > 0)
            {
                a.Write(data.AsSpan(0, Math.Min(a.Writable, data.Length)));
            }

            pair.A.Flush(a, pair.Now);
            if (b is not null)
            {
                while (b.Read(buffer) > 0)
                {
                }

                pair.B.Flush(b, pair.Now);
            }

            if (a.QueuingDelay > UtpOptions.Default.TargetDelay)
            {
                sawDelayOverTarget = true;
                maxWindow = Math.Max(maxWindow, a.Window);
            }
            else if (sawDelayOverTarget && a.Window < maxWindow * 0.8)
            {
                shrankAfterDelay = true;
            }

            if (pair.Now > 45 * Second)
            {
                queueAtEnd.Add(link.LastQueueDelay);
            }

            Assert.True(pair.Step(60 * Second));
        }

        Assert.True(sawDelayOverTarget, "the bottleneck never queued beyond the target");
        Assert.True(shrankAfterDelay, $"the window never shrank below 80 % of its peak {maxWindow}");
        Assert.NotEmpty(queueAtEnd);
        Assert.True(queueAtEnd.Average() < 3 * UtpOptions.Default.TargetDelay, $"average queue at the end {queueAtEnd.Average() / 1000:F0} ms");
        Assert.Equal(UtpState.Connected, a.State);
    }

    internal static byte[] Payload(int length, int seed)
    {
        var bytes = new byte[length];
        for (var i = 0; i + 4 <= length; i += 4)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(i), (i / 4) + (seed << 28));
        }

        return bytes;
    }

    /// <summary>A dials B; each writes its bytes and closes; both read to the end. Returns what each side read.</summary>
    private static (byte[] AtB, byte[] AtA, UtpConnection A, UtpConnection B) Transfer(SimulatedPair pair, byte[] ab, byte[] ba, long limit)
    {
        var a = pair.A.Connect(SimulatedPair.AddressB, 0);
        UtpConnection? b = null;
        var sentAb = 0;
        var sentBa = 0;
        var atA = new MemoryStream();
        var atB = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var steps = 0;
        while (!(a.IsFinished && b is { IsFinished: true }))
        {
            b ??= pair.B.TakeAccepted().SingleOrDefault();
            sentAb = Feed(a, ab, sentAb);
            Drain(a, atA, buffer);
            pair.A.Flush(a, pair.Now);
            if (b is not null)
            {
                sentBa = Feed(b, ba, sentBa);
                Drain(b, atB, buffer);
                pair.B.Flush(b, pair.Now);
            }

            Assert.True(++steps < 5_000_000, "the simulation does not converge");
            Assert.False(a.State == UtpState.Failed, $"A failed: {a.Error}");
            Assert.False(b?.State == UtpState.Failed, $"B failed: {b?.Error}");
            if (!pair.Step(limit) || pair.Now >= limit)
            {
                break;
            }
        }

        Assert.NotNull(b);
        Assert.True(a.IsFinished && b.IsFinished, $"not finished by the limit: A {a.State}, B {b.State}");
        return (atB.ToArray(), atA.ToArray(), a, b);
    }

    private static int Feed(UtpConnection c, byte[] data, int sent)
    {
        if (c.State != UtpState.Connected)
        {
            return sent;
        }

        sent += c.Write(data.AsSpan(sent));
        if (sent == data.Length)
        {
            c.Shutdown();
        }

        return sent;
    }

    private static void Drain(UtpConnection c, MemoryStream into, byte[] buffer)
    {
        int n;
        while ((n = c.Read(buffer)) > 0)
        {
            into.Write(buffer, 0, n);
        }
    }
}
