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

    [Fact]
    public async Task A_get_emits_no_code_at_run_time_while_a_seeder_does()
    {
        // The runtime lists every method it compiles in /tmp-style perf maps (DOTNET_PerfMapEnabled=3): code emitted at
        // run time shows as Akka's compiled handler expressions (lambda_method) and the compiled regexes (Regex…Scan).
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seederMaps = Dir.Sub("seeder-maps");
        var getMaps = Dir.Sub("get-maps");
        var seedPort = FreePort.Next();
        var seeder = Own(SwarmCli.StartWith(PerfMaps(seederMaps), "swarm seed", Log, "seed", torrent.TorrentPath, "--data", torrent.Content.Parent, "--bind", "127.0.0.1", "--port", seedPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        var get = await SwarmCli.RunWithAsync(PerfMaps(getMaps), Log, Timeouts.Transfer, "get", torrent.TorrentPath, "-o", Dir.Sub("out"), "--bind", "127.0.0.1", "--port", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", StateDir("get"), "--peer", SwarmCli.Peer(seedPort));

        Assert.Equal(0, get.ExitCode);
        Assert.Contains($"complete {torrent.InfoHash}", get.Stdout);
        Assert.True(Emitted(seederMaps) > 0, "the seeder's map lists no emitted code: the check below would prove nothing");
        Assert.Equal(0, Emitted(getMaps));
    }

    private static Dictionary<string, string?> PerfMaps(string dir) =>
        new() { ["DOTNET_PerfMapEnabled"] = "3", ["DOTNET_PerfMapJitDumpPath"] = dir };

    /// <summary>Methods emitted at run time in the perf maps written into <paramref name="dir"/>.</summary>
    private static int Emitted(string dir) =>
        Directory.GetFiles(dir, "perf-*.map").SelectMany(File.ReadLines).Count(l => l.Contains("lambda_method", StringComparison.Ordinal) || (l.Contains("dynamicClass::Regex", StringComparison.Ordinal) && l.Contains("_Scan", StringComparison.Ordinal)));
}
