using System.Text.Json;
using Xunit;

namespace Swarm.Node.Tests.Build;

/// <summary>JIT (issue 14): the runtime settings of the build people run (swarm.runtimeconfig.json beside swarm.dll),
/// which the runtime reads as it starts: a method is optimised after 300 calls, so start-up code run a few dozen
/// times is not compiled a second time.</summary>
public sealed class RuntimeConfigBuildTests
{
    [Fact]
    public void The_node_build_asks_the_runtime_for_300_calls_before_a_method_is_optimised()
    {
        var (file, properties) = ConfigProperties();

        Assert.True(properties.TryGetProperty("System.Runtime.TieredCompilation.CallCountThreshold", out var threshold), $"{file} sets no call count threshold");
        Assert.Equal(300, threshold.GetInt32());
        // The threshold only matters with tiering on: off, every method is compiled optimised at once (3x the CPU of
        // an idle start, measured earlier).
        Assert.False(properties.TryGetProperty("System.Runtime.TieredCompilation", out var tiered) && tiered.ValueKind == JsonValueKind.False);
    }

    [Fact]
    public void The_node_build_waits_a_second_of_quiet_before_counting_calls()
    {
        // A Release build runs ReadyToRun code; with the runtime's 100 ms delay a transfer re-compiled ~1,300 of its
        // methods at tier 1 while it ran, CPU the leecher spent on the JIT instead of on blocks.
        var (file, properties) = ConfigProperties();

        Assert.True(properties.TryGetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs", out var delay), $"{file} sets no call counting delay");
        Assert.Equal(1000, delay.GetInt32());
    }

    [Fact]
    public void The_node_build_turns_the_thread_pools_hill_climbing_off()
    {
        // Hill climbing grew a get's pool from 3 to 11 workers on 2 cores: more threads to wake, more CPU per GiB.
        var (file, properties) = ConfigProperties();

        Assert.True(properties.TryGetProperty("System.Threading.ThreadPool.HillClimbing.Disable", out var disabled), $"{file} leaves hill climbing on");
        Assert.True(disabled.GetBoolean());
    }

    [Fact]
    public void The_node_build_caps_the_gen0_budget_at_8_MiB()
    {
        // Footprint (issue 14): without the background GC the runtime's own cap is 128 MiB, and a leecher's gen0 grew
        // towards it under a transfer's allocations (its peak RSS 60-70 MiB higher at 1 GiB).
        var (file, properties) = ConfigProperties();

        Assert.True(properties.TryGetProperty("System.GC.Gen0MaxBudget", out var budget), $"{file} sets no gen0 budget");
        Assert.Equal(8 << 20, budget.GetInt64());
    }

    /// <summary>The runtime settings the node's build wrote, and the file they came from (for failure messages).</summary>
    private static (string File, JsonElement Properties) ConfigProperties()
    {
        var file = Path.Combine(NodeBuild.Locate().Folder, "swarm.runtimeconfig.json");
        using var json = JsonDocument.Parse(File.ReadAllText(file));
        return (file, json.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties").Clone());
    }
}
