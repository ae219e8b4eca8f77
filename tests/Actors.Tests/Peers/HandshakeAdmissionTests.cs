using System.Net;
using Swarm.Actors.Peers;
using Swarm.Actors.Tests.Support;
using Xunit;

namespace Swarm.Actors.Tests.Peers;

public sealed class HandshakeAdmissionTests
{
    private static readonly IPAddress A = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress B = IPAddress.Parse("127.0.0.3");
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void One_address_is_held_to_its_cap_and_others_still_get_in()
    {
        var admission = new HandshakeAdmission(maxTotal: 10, maxPerAddress: 2, Timeout, new ManualClock());
        Assert.NotNull(admission.TryAdmit(A, out _));
        Assert.NotNull(admission.TryAdmit(A, out _));
        Assert.Null(admission.TryAdmit(A, out var refusal));
        Assert.Contains("address limit", refusal);
        Assert.NotNull(admission.TryAdmit(B, out _));
        Assert.Equal(3, admission.Count);
    }

    [Fact]
    public void The_node_cap_holds_over_all_addresses()
    {
        var admission = new HandshakeAdmission(maxTotal: 3, maxPerAddress: 2, Timeout, new ManualClock());
        Assert.NotNull(admission.TryAdmit(A, out _));
        Assert.NotNull(admission.TryAdmit(A, out _));
        Assert.NotNull(admission.TryAdmit(B, out _));
        Assert.Null(admission.TryAdmit(IPAddress.Parse("127.0.0.4"), out var refusal));
        Assert.Contains("node limit", refusal);
    }

    [Fact]
    public void A_finished_handshake_gives_its_places_back_once()
    {
        var admission = new HandshakeAdmission(maxTotal: 5, maxPerAddress: 1, Timeout, new ManualClock());
        var first = admission.TryAdmit(A, out _)!;
        Assert.Null(admission.TryAdmit(A, out _));
        first.Dispose();
        first.Dispose();
        Assert.Equal(0, admission.Count);
        Assert.NotNull(admission.TryAdmit(A, out _));
        Assert.Equal(1, admission.Count);
    }

    [Fact]
    public void An_ipv4_mapped_address_counts_as_the_ipv4_one()
    {
        var admission = new HandshakeAdmission(maxTotal: 5, maxPerAddress: 1, Timeout, new ManualClock());
        Assert.NotNull(admission.TryAdmit(A, out _));
        Assert.Null(admission.TryAdmit(A.MapToIPv6(), out _));
    }

    [Fact]
    public void Deadlines_pass_on_the_clock_not_the_wall()
    {
        var clock = new ManualClock();
        var admission = new HandshakeAdmission(maxTotal: 5, maxPerAddress: 5, Timeout, clock);
        var early = admission.TryAdmit(A, out _)!;
        clock.Advance(Timeout / 2);
        var late = admission.TryAdmit(A, out _)!;

        Assert.Equal(0, admission.Expire());
        clock.Advance(Timeout / 2);
        Assert.Equal(1, admission.Expire());
        Assert.True(early.Deadline.IsCancellationRequested);
        Assert.False(late.Deadline.IsCancellationRequested);

        clock.Advance(Timeout / 2);
        Assert.Equal(1, admission.Expire());
        Assert.True(late.Deadline.IsCancellationRequested);
        Assert.Equal(Timeout / 4, admission.SweepInterval);
    }
}
