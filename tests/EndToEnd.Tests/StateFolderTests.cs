using System.Globalization;
using System.Text.RegularExpressions;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Processes started with the default state folder: each `get`/`seed` has its own per torrent and save
/// folder, held by one process at a time and found again by the same command; a node has its own.</summary>
public sealed partial class StateFolderTests(ITestOutputHelper log) : EndToEndTest(log)
{
    /// <summary>~3 MiB at this rate is about 8 s of download: time to act while it runs.</summary>
    private const int SlowSeed = 384 * 1024;

    [Fact]
    public async Task Two_gets_of_one_torrent_into_one_folder_at_once_the_second_is_refused_with_one_line()
    {
        var home = new SwarmHome(Dir.Sub("home"), Log);
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartThrottledSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, SlowSeed));
        var outDir = Dir.Sub("out");

        var first = Own(Get(home, torrent, outDir, seedPort));
        await WaitForVerifiedAsync(first, 1);
        var second = await home.RunAsync(Timeouts.Reject,
            "get", torrent.TorrentPath, "-o", outDir, "--port", FreePort.Next().ToString(), "--peer", SwarmCli.Peer(seedPort));

        Assertions.CleanRejection(second, expectedExitCode: 1);
        Assert.StartsWith($"swarm: another swarm process (pid {first.Id}) is already working on torrent {torrent.InfoHash} in {outDir}", second.Stderr.Single(l => l.Length > 0));
        // The first one never noticed.
        await first.WaitForCompleteAsync(torrent.InfoHash);
        torrent.AssertDownloadedTo(outDir);
        QuietLog.AssertQuiet(first.Name, first.Stderr);
    }

    [Fact]
    public async Task A_get_killed_with_sigkill_and_run_again_with_the_same_arguments_resumes_from_its_journal()
    {
        var home = new SwarmHome(Dir.Sub("home"), Log);
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartThrottledSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, SlowSeed));
        var outDir = Dir.Sub("out");
        var pieces = torrent.Metainfo.PieceCount;

        int verifiedAtKill;
        await using (var first = Get(home, torrent, outDir, seedPort))
        {
            verifiedAtKill = await WaitForVerifiedAsync(first, pieces / 3);
            Log.WriteLine($"kill -9 {first.Name} (pid {first.Id}) at {verifiedAtKill}/{pieces} verified pieces");
            System.Diagnostics.Process.GetProcessById(first.Id).Kill(); // SIGKILL: no shutdown hooks run
            await first.WaitForExitAsync(Timeouts.Exit);
        }

        var again = Own(Get(home, torrent, outDir, seedPort));
        var resumed = await again.WaitForStderrLineAsync(l => Resumed().IsMatch(l), "the resume line", Timeouts.Start);
        var count = int.Parse(Resumed().Match(resumed).Groups[1].Value, CultureInfo.InvariantCulture);
        // Pieces written but not yet journaled at the kill are fetched again, never trusted unjournaled.
        Assert.InRange(count, 1, pieces);
        await again.WaitForCompleteAsync(torrent.InfoHash);
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task A_second_node_on_a_state_folder_in_use_is_refused_with_one_line()
    {
        var home = new SwarmHome(Dir.Sub("home"), Log);
        string[] node = ["node", "--bind", SwarmCli.Loopback, "--port", "0", "--console-port", "0", "--cluster-port", "0"];
        var first = Own(home.Start("swarm node (default state)", node));
        await first.WaitForLineAsync("peers ", Timeouts.Start);
        var stateDir = Path.Combine(home.StateRoot, "node");
        Assert.Contains($"data {stateDir}", first.Stdout);

        var second = await home.RunAsync(Timeouts.Start, node);
        Assertions.CleanRejection(second, expectedExitCode: 1);
        Assert.Equal($"swarm: the state folder {stateDir} is in use by another swarm process (pid {first.Id}); give this one its own --data-dir", second.Stderr.Single(l => l.Length > 0));

        // A get or seed with the defaults runs beside the node.
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seeder = Own(home.Start("swarm seed beside the node", "seed", torrent.TorrentPath, "--data", torrent.Content.Parent, "--bind", SwarmCli.Loopback, "--port", "0"));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);
    }

    private static ManagedProcess Get(SwarmHome home, TestTorrent torrent, string outDir, int seedPort) =>
        home.Start("swarm get (default state)",
            "get", torrent.TorrentPath, "-o", outDir, "--bind", SwarmCli.Loopback, "--port", FreePort.Next().ToString(), "--peer", SwarmCli.Peer(seedPort));

    /// <summary>Polls the plain progress lines on stderr ("12.5% 6/48 pieces, …") until at least <paramref name="target"/>.</summary>
    private static async Task<int> WaitForVerifiedAsync(ManagedProcess leecher, int target)
    {
        var line = await leecher.WaitForStderrLineAsync(
            l => Progress().Match(l) is { Success: true } m && int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) >= target,
            $"progress of at least {target} pieces", Timeouts.Transfer);
        return int.Parse(Progress().Match(line).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"% (\d+)/\d+ pieces")]
    private static partial Regex Progress();

    [GeneratedRegex(@"resumed (\d+)/\d+ verified pieces from the journal")]
    private static partial Regex Resumed();
}
