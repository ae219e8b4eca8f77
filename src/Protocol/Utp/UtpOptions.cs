namespace Swarm.Protocol.Utp;

/// <summary>The tunables of one uTP connection (BEP 29), with libtorrent's defaults where it has one. Times are in
/// microseconds, the unit of uTP's timestamps.</summary>
/// <param name="MaxPayload">Payload bytes per packet: 1400 keeps header + selective ack + UDP + IPv4 under the 1500-byte
/// Ethernet MTU without path MTU discovery, so no packet is fragmented or dropped for its size.</param>
/// <param name="ReceiveBuffer">Bytes received but not yet read (in order or reordered) we hold at most; the free part is
/// the window we advertise, so a slow reader throttles the sender instead of growing memory.</param>
/// <param name="SendBuffer">Bytes written but not yet acknowledged we hold at most; a writer waits beyond it.</param>
/// <param name="TargetDelay">LEDBAT's target queuing delay (BEP 29: 100 ms): above it the window shrinks.</param>
/// <param name="Gain">The most the window grows per round trip when the delay is far below target (libtorrent: 3000).</param>
/// <param name="MinTimeout">The floor of the retransmit timeout (libtorrent: 500 ms), so delayed acks are not taken for loss.</param>
/// <param name="InitialTimeout">Retransmit timeout before any round trip is measured (BEP 29: 1000 ms).</param>
/// <param name="SynResends">SYNs resent before the dial counts as refused (libtorrent: 2).</param>
/// <param name="DataResends">Consecutive timeouts after which the connection is dead (libtorrent: 3).</param>
/// <param name="DupAckLimit">Duplicate or selective acks past a packet that mark it lost (fast retransmit, like TCP: 3).</param>
/// <param name="MaxReorder">How far ahead of the next expected packet we buffer; further ones are dropped unacked.</param>
/// <param name="Keepalive">An idle connection sends an ack this often so NAT mappings on the way stay open (libtorrent: 29 s).</param>
/// <param name="IdleTimeout">Nothing heard for this long: the peer is gone.</param>
/// <param name="HalfOpenTimeout">An accepted connection that hears nothing after its SYN is dropped after this, freeing
/// its half-open slot (a spoofed SYN costs us at most this long).</param>
/// <param name="MaxWindow">The congestion window never grows beyond this.</param>
public sealed record UtpOptions(
    int MaxPayload = 1400,
    int ReceiveBuffer = 1024 * 1024,
    int SendBuffer = 1024 * 1024,
    long TargetDelay = 100_000,
    int Gain = 3000,
    long MinTimeout = 500_000,
    long InitialTimeout = 1_000_000,
    int SynResends = 2,
    int DataResends = 3,
    int DupAckLimit = 3,
    int MaxReorder = 1024,
    long Keepalive = 29_000_000,
    long IdleTimeout = 180_000_000,
    long HalfOpenTimeout = 10_000_000,
    int MaxWindow = 4 * 1024 * 1024)
{
    public static readonly UtpOptions Default = new();

    /// <summary>One clear error for a value that cannot work, instead of a connection that stalls.</summary>
    public UtpOptions Validated()
    {
        if (MaxPayload is < 100 or > 64 * 1024 - 100)
        {
            throw new ArgumentException($"uTP packet payload must be 100 to {(64 * 1024) - 100} bytes, not {MaxPayload}.");
        }

        if (ReceiveBuffer < 2 * MaxPayload || SendBuffer < 2 * MaxPayload)
        {
            throw new ArgumentException($"uTP buffers must hold at least two packets ({2 * MaxPayload} bytes).");
        }

        if (TargetDelay <= 0 || Gain <= 0 || MinTimeout <= 0 || InitialTimeout <= 0 || Keepalive <= 0 || IdleTimeout <= 0 || HalfOpenTimeout <= 0)
        {
            throw new ArgumentException("uTP delays, gain and timeouts must be positive.");
        }

        if (SynResends < 0 || DataResends < 0 || DupAckLimit < 1 || MaxReorder is < 1 or > 0x7FFF || MaxWindow < 2 * MaxPayload)
        {
            throw new ArgumentException("uTP resend counts, reorder limit or window out of range.");
        }

        return this;
    }
}
