using Swarm.Actors.Storage;
using Xunit;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (footprint): when a node gives back memory — only quiet, only after real garbage.</summary>
public sealed class MemoryTrimTests
{
    private const long Quiet = 4 << 20;
    private const long MinGarbage = 32 << 20;

    [Fact]
    public void Start_up_garbage_is_trimmed_once_the_node_is_quiet()
    {
        var trim = MemoryTrim.Start(allocated: 60 << 20);
        var (next, now) = trim.Sample(61 << 20, Quiet, MinGarbage);
        Assert.True(now);
        Assert.Equal(new MemoryTrim(61 << 20, 61 << 20), next);
    }

    [Fact]
    public void A_busy_node_is_never_trimmed_however_much_it_allocates()
    {
        var trim = MemoryTrim.Start(0);
        for (long allocated = 100 << 20; allocated < 2000L << 20; allocated += 100 << 20)
        {
            (trim, var now) = trim.Sample(allocated, Quiet, MinGarbage);
            Assert.False(now);
        }

        Assert.True(trim.Sample(trim.LastSample + (1 << 20), Quiet, MinGarbage).Trim);
    }

    [Fact]
    public void An_idle_node_is_trimmed_once_and_then_left_alone()
    {
        var (trim, first) = MemoryTrim.Start(40 << 20).Sample(40 << 20, Quiet, MinGarbage);
        Assert.True(first);
        for (var i = 1; i < 32; i++)
        {
            // A dashboard or console: 1 MiB each interval, quiet, never enough garbage for another full GC...
            (trim, var now) = trim.Sample((40L << 20) + (i << 20), Quiet, MinGarbage);
            Assert.False(now);
        }

        // ...until it has added up to the threshold.
        Assert.True(trim.Sample((40L << 20) + MinGarbage, Quiet, MinGarbage).Trim);
    }

    [Fact]
    public void The_first_quiet_look_trims_however_little_start_up_allocated_and_then_little_garbage_is_not_worth_another()
    {
        var (trim, first) = MemoryTrim.Start(1 << 20).Sample(2 << 20, Quiet, MinGarbage);
        Assert.True(first);
        var (_, again) = trim.Sample(3 << 20, Quiet, MinGarbage);
        Assert.False(again);
    }

    [Fact]
    public void After_a_one_shot_s_start_up_trim_a_quiet_look_waits_for_new_garbage()
    {
        // The start-up trim took what start-up left: the first quiet look no longer trims on its own.
        var trim = MemoryTrim.Start(10 << 20).Trimmed(80 << 20);
        (trim, var now) = trim.Sample(81 << 20, Quiet, MinGarbage);
        Assert.False(now);
        (trim, _) = trim.Sample(200 << 20, Quiet, MinGarbage); // the transfer
        Assert.True(trim.Sample(201 << 20, Quiet, MinGarbage).Trim);
    }
}
