using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Start-up (issue 14): what a one-shot node's process loads, read from the kernel's view of it.</summary>
public sealed class StartUpTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Fact]
    public async Task A_seeder_journaling_on_sqlite_never_loads_the_postgresql_driver()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        // Its journal was checked, its tables made and its catalog entry written and read back by then.
        var maps = await File.ReadAllTextAsync($"/proc/{seeder.Id}/maps");

        Assert.Contains("Microsoft.Data.Sqlite.dll", maps, StringComparison.Ordinal);
        Assert.DoesNotContain("Npgsql.dll", maps, StringComparison.Ordinal);
    }
}
