using Swarm.Protocol.Utp;
using Xunit;

namespace Swarm.Protocol.Tests.Utp;

/// <summary>One connection's rules, packet by packet, with the other side played by hand.</summary>
public sealed class UtpConnectionTests
{
    private const long Ms = 1000;
    private static readonly UtpOptions Options = UtpOptions.Default;

    [Fact]
    public void Handshake_pairs_connection_ids_one_apart_and_acks_the_syn()
    {
        var a = UtpConnection.Connect(100, 1000, 0, Options);
        var syn = Single(a);
        Assert.Equal((UtpType.Syn, (ushort)100, (ushort)1000), (syn.Type, syn.ConnectionId, syn.SeqNr));

        var b = UtpConnection.Accept(syn, 5000, 10 * Ms, Options);
        var state = Single(b);
        Assert.Equal((UtpState.SynReceived, (ushort)101, (ushort)100), (b.State, b.RecvId, b.SendId));
        Assert.Equal((UtpType.State, (ushort)100, (ushort)1000, (ushort)5000), (state.Type, state.ConnectionId, state.AckNr, state.SeqNr));

        a.Receive(state, 20 * Ms);
        Assert.Equal(UtpState.Connected, a.State);
        a.Write([1, 2, 3]);
        a.Flush(20 * Ms);
        var data = Single(a);
        Assert.Equal((UtpType.Data, (ushort)101, (ushort)1001, (ushort)4999), (data.Type, data.ConnectionId, data.SeqNr, data.AckNr));

        b.Receive(data, 30 * Ms);
        Assert.Equal(UtpState.Connected, b.State);
        Assert.Equal(3, b.Readable);
    }

    [Fact]
    public void Duplicates_are_delivered_once_and_acked_each_time()
    {
        var (a, b) = Connected();
        a.Write([7, 7, 7]);
        a.Flush(Ms);
        var data = Single(a);

        b.Receive(data, 2 * Ms);
        b.Flush(2 * Ms);
        b.Receive(data, 3 * Ms);
        b.Flush(3 * Ms);

        Assert.Equal(3, b.Readable);
        Assert.Equal(2, b.TakeOutgoing().Count);
    }

    [Fact]
    public void Out_of_order_packets_wait_for_the_gap_and_are_selectively_acked()
    {
        var (a, b) = Connected();
        var packets = SendChunks(a, 4, Ms);

        b.Receive(packets[2], 2 * Ms);
        b.Receive(packets[3], 2 * Ms);
        b.Flush(2 * Ms);
        var ack = Single(b);
        Assert.Equal(0, b.Readable);
        Assert.Equal((ushort)(packets[0].SeqNr - 1), ack.AckNr);
        Assert.NotNull(ack.SelectiveAck);
        Assert.Equal(0b110, ack.SelectiveAck[0]);

        b.Receive(packets[1], 3 * Ms);
        b.Receive(packets[0], 3 * Ms);
        var read = new byte[100];
        Assert.Equal(4 * 10, b.Read(read));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (byte)(i / 10)), read[..40]);
    }

    [Fact]
    public void Packets_beyond_the_reorder_limit_are_dropped()
    {
        var options = Options with { MaxReorder = 8 };
        var (a, b) = Connected(options);
        var packets = SendChunks(a, 1, Ms);
        var far = packets[0] with { SeqNr = (ushort)(packets[0].SeqNr + 9) };

        b.Receive(far, 2 * Ms);
        b.Flush(2 * Ms);

        Assert.Null(Single(b).SelectiveAck);
    }

    [Fact]
    public void A_packet_acking_what_was_never_sent_is_ignored_whole()
    {
        var (a, b) = Connected();
        var packets = SendChunks(a, 1, Ms);

        b.Receive(packets[0] with { AckNr = (ushort)(packets[0].AckNr + 100) }, 2 * Ms);

        Assert.Equal(0, b.Readable);
    }

    [Fact]
    public void Three_duplicate_acks_resend_the_oldest_packet_and_halve_the_window()
    {
        var (a, b) = Connected();
        var packets = SendChunks(a, 5, Ms);
        foreach (var p in packets.Skip(1))
        {
            b.Receive(p with { SelectiveAck = null }, 2 * Ms);
        }

        // Acks without the selective ack, as a peer that does not send one would: three of them repeat the same number.
        var windowBefore = a.Window;
        var dupAck = new UtpPacket(UtpType.State, a.RecvId, 2000, 1000, 1 << 20, b.SeqNr, (ushort)(packets[0].SeqNr - 1), null, default);
        a.Receive(dupAck, 3 * Ms);
        a.Receive(dupAck, 3 * Ms);
        a.Flush(3 * Ms);
        Assert.Empty(a.TakeOutgoing());
        a.Receive(dupAck, 3 * Ms);
        a.Flush(3 * Ms);

        var resent = Single(a);
        Assert.Equal(packets[0].SeqNr, resent.SeqNr);
        Assert.Equal(packets[0].Payload.ToArray(), resent.Payload.ToArray());
        Assert.True(a.Window <= Math.Max(windowBefore / 2, 2 * Options.MaxPayload));
    }

    [Fact]
    public void Selective_acks_mark_the_packet_before_three_received_ones_lost()
    {
        var (a, b) = Connected();
        var packets = SendChunks(a, 5, Ms);
        foreach (var p in packets.Skip(1))
        {
            b.Receive(p, 2 * Ms);
        }

        b.Flush(2 * Ms);
        var ack = Single(b);
        a.Receive(ack, 3 * Ms);
        a.Flush(3 * Ms);

        Assert.Equal(packets[0].SeqNr, Single(a).SeqNr);
        Assert.Equal(packets[0].Payload.Length, a.BytesInFlight);
    }

    /// <summary>libtorrent's selective ack reaches its last packet held out of order, past the 32 bytes we send when
    /// hundreds are in flight (issue 16); the packets it names there are acked like any other.</summary>
    [Fact]
    public void A_selective_ack_longer_than_ours_acks_packets_far_past_the_ack()
    {
        var (a, b) = Connected();
        var packets = SendChunks(a, 270, Ms);
        var inFlight = a.BytesInFlight;
        var ackNr = (ushort)(packets[0].SeqNr - 1);
        var far = packets[265];
        var bit = UtpSeq.Distance(ackNr, far.SeqNr) - 2;
        var mask = new byte[(bit / 8) + 1];
        mask[bit / 8] = (byte)(1 << (bit % 8));
        var ack = new UtpPacket(UtpType.State, a.SendId, 0, 0, 1 << 20, b.SeqNr, ackNr, mask, default);

        a.Receive(UtpPacket.TryDecode(ack.Encode())!, 2 * Ms);

        Assert.Equal(34, mask.Length);
        Assert.Equal(inFlight - far.Payload.Length, a.BytesInFlight);
    }

    /// <summary>libtorrent stops reading from a uTP socket while its disk queue is full, drops (but acks) packets that
    /// do not fit its window and never announces reopening it. A reader stalled for longer than our retransmit
    /// timeouts add up to (7.5 s) must be probed, not timed out, as long as it answers; the transfer then resumes.</summary>
    [Fact]
    public void A_peer_keeping_its_window_closed_but_answering_is_probed_not_timed_out()
    {
        var small = Options with { ReceiveBuffer = 4 * Options.MaxPayload };
        var (a, b) = Connected(small);
        var data = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        Assert.Equal(data.Length, a.Write(data));
        var now = Ms;
        for (; now < 120_000 * Ms; now += 10 * Ms)
        {
            a.Tick(now);
            Exchange(a, b, now);
            Assert.True(a.State == UtpState.Connected, $"{a.State} at {now / Ms} ms: {a.Error}");
        }

        Assert.Equal(4 * Options.MaxPayload, b.Readable);
        var got = new MemoryStream();
        var buffer = new byte[64 * 1024];
        for (; now < 300_000 * Ms && got.Length < data.Length; now += 10 * Ms)
        {
            int n;
            while ((n = b.Read(buffer)) > 0)
            {
                got.Write(buffer, 0, n);
            }

            b.Flush(now);
            a.Tick(now);
            Exchange(a, b, now);
        }

        Assert.Equal(data, got.ToArray());
    }

    [Fact]
    public void Retransmit_timeout_follows_the_round_trip_but_never_goes_under_500_ms()
    {
        var (a, _) = Connected();
        Assert.Equal(500 * Ms, a.Rto);

        var packets = SendChunks(a, 1, 100 * Ms);
        a.Tick(599 * Ms);
        Assert.Empty(a.TakeOutgoing());
        a.Tick(600 * Ms);

        Assert.Equal(packets[0].SeqNr, Single(a).SeqNr);
        Assert.Equal(1000 * Ms, a.Rto);
    }

    [Fact]
    public void Unanswered_syn_is_resent_twice_then_the_dial_fails()
    {
        var a = UtpConnection.Connect(1, 1, 0, Options);
        Single(a);
        var sends = new List<long>();
        for (var t = 0L; t <= 20_000 * Ms && !a.IsFinished; t += 10 * Ms)
        {
            a.Tick(t);
            if (a.TakeOutgoing().Count > 0)
            {
                sends.Add(t / Ms);
            }
        }

        Assert.Equal([1000L, 3000L], sends);
        Assert.Equal(UtpState.Failed, a.State);
        Assert.Equal("no answer to SYN", a.Error);
    }

    [Fact]
    public void Reset_answering_a_syn_is_a_refusal()
    {
        var a = UtpConnection.Connect(1, 1, 0, Options);
        var syn = Single(a);

        a.Receive(new UtpPacket(UtpType.Reset, syn.ConnectionId, 0, 0, 0, 77, syn.SeqNr, null, default), Ms);

        Assert.Equal((UtpState.Failed, "refused"), (a.State, a.Error));
    }

    [Fact]
    public void Half_open_accept_expires_when_the_peer_never_speaks_again()
    {
        var syn = new UtpPacket(UtpType.Syn, 9, 0, 0, 1 << 20, 40, 0, null, default);
        var b = UtpConnection.Accept(syn, 1, 0, Options);

        b.Tick(Options.HalfOpenTimeout);

        Assert.Equal(UtpState.Failed, b.State);
    }

    [Fact]
    public void Window_grows_while_delay_is_low_and_shrinks_when_queuing_passes_the_target()
    {
        var (a, _) = Connected();
        var now = 10 * Ms;
        var baseDelay = 20 * Ms;
        var sender = new byte[Options.MaxPayload];

        int Round(long queuing)
        {
            while (a.Writable > 0 && a.Write(sender) > 0)
            {
            }

            a.Flush(now);
            var sent = a.TakeOutgoing().Select(b => UtpPacket.TryDecode(b)!).Where(p => p.Type == UtpType.Data).ToList();
            now += 50 * Ms;
            foreach (var p in sent)
            {
                a.Receive(new UtpPacket(UtpType.State, a.RecvId, (uint)now, (uint)(baseDelay + queuing), 1 << 22, 1, p.SeqNr, null, default), now);
            }

            return a.Window;
        }

        var start = a.Window;
        for (var i = 0; i < 6; i++)
        {
            Round(0);
        }

        var grown = a.Window;
        Assert.True(grown > 4 * start, $"window {start} -> {grown}");
        for (var i = 0; i < 6; i++)
        {
            Round(300 * Ms);
        }

        Assert.True(a.Window < grown, $"window {grown} -> {a.Window} with 300 ms queuing");
        Assert.True(a.QueuingDelay >= 299 * Ms);
    }

    /// <summary>Carries every datagram between the two at once, both ways, until neither has anything to say.</summary>
    private static void Exchange(UtpConnection a, UtpConnection b, long now)
    {
        for (var moved = true; moved;)
        {
            moved = false;
            foreach (var d in a.TakeOutgoing())
            {
                b.Receive(UtpPacket.TryDecode(d)!, now);
                moved = true;
            }

            b.Flush(now);
            foreach (var d in b.TakeOutgoing())
            {
                a.Receive(UtpPacket.TryDecode(d)!, now);
                moved = true;
            }

            a.Flush(now);
        }
    }

    private static (UtpConnection A, UtpConnection B) Connected(UtpOptions? options = null)
    {
        var a = UtpConnection.Connect(100, 1000, 0, options ?? Options);
        var b = UtpConnection.Accept(Single(a), 5000, 0, options ?? Options);
        a.Receive(Single(b), 0);
        a.Write([0xAA]);
        a.Flush(0);
        b.Receive(Single(a), 0);
        b.Read(new byte[1]);
        b.Flush(0);
        a.Receive(Single(b), 0);
        return (a, b);
    }

    /// <summary>Writes <paramref name="count"/> packets of 10 bytes each (bytes valued 0, 1, 2… per packet).</summary>
    private static List<UtpPacket> SendChunks(UtpConnection a, int count, long now)
    {
        var packets = new List<UtpPacket>();
        for (var i = 0; i < count; i++)
        {
            a.Write(Enumerable.Repeat((byte)i, 10).ToArray());
            a.Flush(now);
            packets.Add(Single(a));
        }

        return packets;
    }

    private static UtpPacket Single(UtpConnection c)
    {
        var sent = c.TakeOutgoing();
        Assert.Single(sent);
        return UtpPacket.TryDecode(sent[0])!;
    }
}
