using Swarm.Node.Hosting;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

public sealed class StartUpWarmUpTests
{
    [Theory]
    [InlineData(new[] { "get", "a.torrent", "-o", "out" }, true)]
    [InlineData(new[] { "seed", "a.torrent", "--data", "d" }, true)]
    [InlineData(new[] { "node" }, true)]
    [InlineData(new[] { "console", "status" }, false)]
    [InlineData(new[] { "torrent", "info", "a.torrent" }, false)]
    [InlineData(new[] { "tracker" }, false)]
    [InlineData(new string[0], false)]
    public void Only_the_commands_that_run_a_node_warm_up(string[] args, bool warms) =>
        Assert.Equal(warms, StartUpWarmUp.AppliesTo(args));

    [Fact]
    public async Task The_warm_up_completes_and_leaves_what_it_warmed_working()
    {
        await StartUpWarmUp.Start().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(2), Akka.Configuration.ConfigurationFactory.ParseString("t = 2s").GetTimeSpan("t"));
        Assert.Equal(96, Protocol.Mse.DiffieHellman.FromPrivateKey([3]).PublicKey.Length);
        var row = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(
            new Actors.Persistence.TorrentAdded("ab", "g", [1], [], "/d", false, false),
            Actors.Persistence.PersistedEventJson.Default.TorrentAdded);
        Assert.StartsWith("{\"InfoHash\":\"ab\"", System.Text.Encoding.UTF8.GetString(row), StringComparison.Ordinal);
    }
}
