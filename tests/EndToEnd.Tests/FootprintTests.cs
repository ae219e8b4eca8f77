using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Footprint (issue 14): what a one-shot process on the default SQLite store maps, read from its
/// /proc/PID/maps once it runs. Every assembly mapped is resident memory for the whole transfer.</summary>
public sealed class FootprintTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Fact]
    public async Task A_seed_on_sqlite_does_not_load_the_postgresql_driver()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        var maps = await File.ReadAllLinesAsync($"/proc/{seeder.Id}/maps");
        // The fact the check stands on: the process's assemblies are in its maps (its journal's driver among them).
        Assert.Contains(maps, l => l.EndsWith("/Microsoft.Data.Sqlite.dll", StringComparison.Ordinal));
        Assert.DoesNotContain(maps, l => l.EndsWith("/Npgsql.dll", StringComparison.Ordinal));
    }
}
