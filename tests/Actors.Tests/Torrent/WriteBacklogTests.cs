using Swarm.Actors.Torrent;
using Xunit;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>Disk back-pressure: requests stop past the limit and start again at half of it.</summary>
public sealed class WriteBacklogTests
{
    private const long Max = 1000;

    [Fact]
    public void The_disk_is_behind_once_the_pending_bytes_reach_the_limit()
    {
        var backlog = new WriteBacklog(Max).Queued(600);
        Assert.False(backlog.Behind);
        Assert.True(backlog.Queued(400).Behind);
    }

    [Fact]
    public void Starved_peers_are_woken_once_the_backlog_is_below_half_and_only_once()
    {
        var backlog = new WriteBacklog(Max).Queued(700).Queued(700).Starve(1).Starve(2).Starve(1);

        (backlog, var wake) = backlog.Written(700);
        Assert.Empty(wake); // 700 left: more than half
        Assert.Contains(2, backlog.Starved);

        (backlog, wake) = backlog.Written(300);
        Assert.Equal([1, 2], wake.Order());
        Assert.Empty(backlog.Starved);
        Assert.Equal(400, backlog.PendingBytes);

        Assert.Empty(backlog.Written(100).Wake);
    }

    [Fact]
    public void Writes_with_no_one_starved_only_lower_the_backlog()
    {
        var (backlog, wake) = new WriteBacklog(Max).Queued(900).Written(900);
        Assert.Empty(wake);
        Assert.Equal(0, backlog.PendingBytes);
    }
}
