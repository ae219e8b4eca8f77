using Swarm.Node.Hosting;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

public sealed class InterpretedDynamicCodeTests
{
    [Theory]
    [InlineData(new[] { "get", "a.torrent", "-o", "out" }, true)]
    [InlineData(new[] { "seed", "a.torrent", "--data", "d" }, false)]
    [InlineData(new[] { "node" }, false)]
    [InlineData(new[] { "console", "status" }, false)]
    [InlineData(new string[0], false)]
    public void Only_a_one_shot_get_runs_without_dynamic_code(string[] args, bool interpreted) =>
        Assert.Equal(interpreted, InterpretedDynamicCode.AppliesTo(args));
}
