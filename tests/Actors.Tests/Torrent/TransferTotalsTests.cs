using Swarm.Actors.Torrent;
using Xunit;

namespace Swarm.Actors.Tests.Torrent;

public sealed class TransferTotalsTests
{
    [Fact]
    public void Totals_are_the_closed_connections_plus_the_live_ones()
    {
        var totals = TransferTotals.Empty.PeerClosed(1, 100, 10, wasConnected: true).PeerClosed(2, 50, 5, wasConnected: false);

        Assert.Equal((150, 15), totals.With([]));
        Assert.Equal((1150, 2015), totals.With([(1000, 2000)]));
    }

    [Fact]
    public void Final_counts_that_arrive_after_the_close_add_only_what_is_new()
    {
        var totals = TransferTotals.Empty.PeerClosed(1, 100, 10, wasConnected: true).LateCounts(1, 130, 10);
        Assert.Equal((130, 10), totals.With([]));

        // Counted once: a second late report of the same connection changes nothing.
        Assert.Equal((130, 10), totals.LateCounts(1, 500, 500).With([]));
    }

    [Fact]
    public void Late_counts_never_subtract()
    {
        Assert.Equal((100, 10), TransferTotals.Empty.PeerClosed(1, 100, 10, wasConnected: true).LateCounts(1, 90, 0).With([]));
    }

    [Fact]
    public void A_connection_that_never_completed_its_handshake_sends_no_late_counts_worth_taking()
    {
        var totals = TransferTotals.Empty.PeerClosed(4, 0, 0, wasConnected: false).LateCounts(4, 70, 70);
        Assert.Equal((0, 0), totals.With([]));
    }

    [Fact]
    public void Counts_of_an_unknown_connection_are_ignored()
    {
        Assert.Same(TransferTotals.Empty, TransferTotals.Empty.LateCounts(7, 10, 10));
    }
}
