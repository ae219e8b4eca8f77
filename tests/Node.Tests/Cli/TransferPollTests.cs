using Swarm.Actors.Torrent;
using Swarm.Node.Cli;
using Xunit;

namespace Swarm.Node.Tests.Cli;

/// <summary>`get` asks for its torrent's status at a tick, sooner when the rest of the download is due before it.</summary>
public sealed class TransferPollTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(250);

    [Fact]
    public void A_download_far_from_its_end_is_asked_at_the_tick()
    {
        // 1,000 of 10,000 pieces of 16 KiB left at 1 MB/s: 16 s to go.
        Assert.Equal(Tick, TransferCommands.NextPoll(Status(TorrentState.Downloading, verified: 9_000, rate: 1e6), Tick));
    }

    [Fact]
    public void A_download_due_before_the_tick_is_asked_when_it_should_be_done()
    {
        // 10 pieces of 16 KiB left at 1,638,400 B/s: 0.1 s to go.
        Assert.Equal(TimeSpan.FromMilliseconds(100), TransferCommands.NextPoll(Status(TorrentState.Downloading, verified: 9_990, rate: 1_638_400), Tick));
    }

    [Fact]
    public void The_last_block_is_never_asked_for_in_a_busy_loop()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(20), TransferCommands.NextPoll(Status(TorrentState.Downloading, verified: 9_999, rate: 1e9), Tick));
        Assert.Equal(TimeSpan.FromMilliseconds(20), TransferCommands.NextPoll(Status(TorrentState.Downloading, verified: 10_000, rate: 1e6), Tick));
    }

    [Theory]
    [InlineData(TorrentState.Checking, 1e6)]
    [InlineData(TorrentState.Seeding, 1e6)]
    [InlineData(TorrentState.Downloading, 0)]
    public void Without_a_download_under_way_the_tick_is_kept(TorrentState state, double rate)
    {
        Assert.Equal(Tick, TransferCommands.NextPoll(Status(state, verified: 9_999, rate: rate), Tick));
    }

    private static TorrentStatus Status(TorrentState state, int verified, double rate) =>
        new("aa", "name", state, null, "/tmp", 10_000L * 16384, 10_000, verified, 0, 0, rate, 0, 0, []);
}
