using System.Globalization;
using System.Text.RegularExpressions;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>kill -9 and restart with the same data folder: verified pieces come back from the journal instead of
/// being downloaded or hashed again, and pieces written after its last row are found on disk and hashed.</summary>
public sealed partial class ResumeTests(ITestOutputHelper log) : EndToEndTest(log)
{
    /// <summary>Large enough that the journal lags behind the writes (a batch every flush-interval): each kill
    /// would lose what was written and not journaled, were it not found on disk and hashed at the restart.</summary>
    private const long KillPayloadLength = 256L << 20;

    /// <summary>About 8 s of transfer for the payload, so every kill lands mid-download, and fast enough that the
    /// journal's flush window holds many pieces (without recovery from disk this test measured 9 % re-sent).</summary>
    private const int KillSeedRate = 32 << 20;

    /// <summary>Blocks a leecher has requested are in flight by definition: once the seeder sent them they are lost
    /// with the process, up to pipeline.max-depth × 16 KiB per peer (8 MiB by default) whenever the leecher falls
    /// behind, which a busy two-core machine does at random (measured here: 0.4 % to 7 % re-sent from run to run,
    /// all of it requested blocks). Bounded to 512 KiB here, so that what is measured is what recovery controls.</summary>
    private const string BoundedPipeline = "swarm.pipeline.max-depth = 32";

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task A_leecher_killed_three_times_mid_download_is_sent_at_most_2_percent_more_than_the_size(string store)
    {
        var journal = await JournalConfigAsync(store);
        var config = Path.Combine(Dir.Path, "kill.conf");
        await File.WriteAllTextAsync(config, $"{(journal is null ? string.Empty : await File.ReadAllTextAsync(journal))}\n{BoundedPipeline}\n");
        var content = Payload.CreateFile(Dir.Sub("source"), "large.bin", KillPayloadLength, seed: 12);
        var torrentPath = Path.Combine(Dir.Path, "large.torrent");
        var torrent = new TestTorrent(content, torrentPath, await MkTorrent.CreateAsync(content.Path, torrentPath, Log, pieceLengthLog2: 18));
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartThrottledSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, KillSeedRate));
        var relay = Own(new TcpRelay(seedPort));
        var outDir = Dir.Sub("out");
        var state = StateDir("leecher");
        var pieces = torrent.Metainfo.PieceCount;

        var verifiedAtKill = 0;
        foreach (var fraction in new[] { 0.25, 0.5, 0.75 })
        {
            var leecher = Get(torrent, outDir, state, config, relay.Port, store);
            await using (leecher)
            {
                if (verifiedAtKill > 0)
                {
                    // Every piece verified at the kill had been written: the journal has it, or it is found on
                    // disk and hashed. Only pieces in flight (not yet whole, or not yet written) are fetched again.
                    Assert.InRange(await ResumedPiecesAsync(leecher), verifiedAtKill, pieces);
                }

                verifiedAtKill = await WaitForVerifiedAsync(leecher, (int)(pieces * fraction));
                Kill(leecher);
                Log.WriteLine($"killed at {verifiedAtKill}/{pieces} pieces; the seeder has sent {relay.TargetSent} bytes");
            }
        }

        var last = Own(Get(torrent, outDir, state, config, relay.Port, store));
        var resumedLast = await ResumedPiecesAsync(last);
        Assert.InRange(resumedLast, verifiedAtKill, pieces);
        await last.WaitForCompleteAsync(torrent.InfoHash);
        torrent.AssertDownloadedTo(outDir);

        // From its own counters: the last run fetched only what it did not resume.
        var received = ReceivedBytes(last);
        var missing = (long)(pieces - resumedLast) * torrent.Metainfo.PieceLength;
        Assert.True(received <= missing, $"the last run received {received} bytes, more than the {missing} bytes of the {pieces - resumedLast} missing pieces");

        // What the kills cost the seeder, wire overhead included. Everything came through the relay (the leecher
        // started empty), so it cannot have sent less than the size.
        var size = torrent.Metainfo.Length;
        var sent = relay.TargetSent;
        Log.WriteLine($"the seeder sent {sent} bytes for {size}: {100.0 * (sent - size) / size:F2} % more");
        Assert.True(sent >= size, $"the seeder sent {sent} bytes through the relay, less than the {size} bytes of the torrent");
        Assert.True(sent <= size + (size / 50), $"the seeder sent {sent} bytes for {size}: {100.0 * (sent - size) / size:F2} % more, over 2 %");
    }

    [Fact]
    public async Task PostgreSQL_going_away_mid_download_loses_nothing()
    {
        var server = Own(await PostgresServer.StartAsync(Log));
        var config = server.WriteSwarmConfig(Dir.Path);
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartThrottledSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, 384 * 1024));
        var outDir = Dir.Sub("out");
        var state = StateDir("leecher");
        var pieces = torrent.Metainfo.PieceCount;

        var leecher = Own(Get(torrent, outDir, state, config, seedPort));
        var before = await WaitForVerifiedAsync(leecher, pieces / 5);
        await server.StopServerAsync();

        // The transfer goes on without the database, and says that the journal is failing.
        var during = await WaitForVerifiedAsync(leecher, Math.Min(pieces - 2, before + 8));
        Assert.Contains(leecher.Stderr, l => l.Contains("journal failing", StringComparison.Ordinal));
        await server.StartServerAsync();
        await leecher.WaitForCompleteAsync(torrent.InfoHash);
        torrent.AssertDownloadedTo(outDir);
        Log.WriteLine($"verified {before} before the outage, {during} during it");

        // Every verified piece reached the journal once it came back: a restart resumes all of them.
        var again = Own(Get(torrent, outDir, state, config, seedPort));
        Assert.Equal(pieces, await ResumedPiecesAsync(again));
        await again.WaitForCompleteAsync(torrent.InfoHash);
        Assert.Equal(0, ReceivedBytes(again));
    }

    [Fact]
    public async Task An_unreachable_journal_store_is_one_clear_line_at_start()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var config = Path.Combine(Dir.Path, "dead-db.conf");
        var deadPort = FreePort.Next(); // nothing listens there
        await File.WriteAllTextAsync(config, $"""
            swarm.journal.provider = "PostgreSQL.15"
            swarm.journal.connection-string = "Host={SwarmCli.Loopback};Port={deadPort};Username=postgres;Database=swarm;Timeout=3"
            """);

        var result = await SwarmCli.RunAsync(Log, Timeouts.Reject,
            "get", torrent.TorrentPath, "-o", Dir.Sub("out"), "--bind", SwarmCli.Loopback, "--port", FreePort.Next().ToString(),
            "--data-dir", StateDir("leecher"), "--config", config);

        Assertions.CleanRejection(result, expectedExitCode: 1);
        Assert.StartsWith($"swarm: journal store unreachable (PostgreSQL {SwarmCli.Loopback}:{deadPort}/swarm)", result.Stderr.Single(l => l.Length > 0));
    }

    [Fact]
    public async Task Files_that_vanished_between_runs_are_fetched_again()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort));
        var outDir = Dir.Sub("out");
        var state = StateDir("leecher");
        await using (var first = Get(torrent, outDir, state, null, seedPort))
        {
            await first.WaitForCompleteAsync(torrent.InfoHash);
        }

        var victim = Directory.EnumerateFiles(Path.Combine(outDir, torrent.Content.Name), "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).Last();
        File.Delete(victim);

        var second = Own(Get(torrent, outDir, state, null, seedPort));
        var resumed = await ResumedPiecesAsync(second);
        Assert.InRange(resumed, 1, torrent.Metainfo.PieceCount - 1);
        await second.WaitForCompleteAsync(torrent.InfoHash);
        Assert.Contains(second.Stderr, l => l.Contains("vanished or shrank", StringComparison.Ordinal) && l.Contains(Path.GetFileName(victim), StringComparison.Ordinal));
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Recheck_hashes_everything_again_instead_of_trusting_the_journal()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var state = StateDir("seeder");
        await using (var first = SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), state))
        {
            await first.WaitForSeedingAsync(torrent.InfoHash);
        }

        // Same length, different bytes: the cheap start-up check cannot see this, a re-check must.
        var file = torrent.Content.Path;
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(file, bytes);

        var result = await SwarmCli.RunAsync(Log, Timeouts.Reject,
            "seed", torrent.TorrentPath, "--data", torrent.Content.Parent, "--bind", SwarmCli.Loopback, "--port", FreePort.Next().ToString(),
            "--data-dir", state, "--recheck");

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain(result.Stdout, l => l.StartsWith("seeding", StringComparison.Ordinal));
        Assert.Contains(result.Stderr, l => l.StartsWith("swarm: data does not match the torrent: 1 of", StringComparison.Ordinal) && l.Contains(torrent.Content.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_seeder_killed_and_restarted_seeds_again_without_rehashing()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var state = StateDir("seeder");
        var first = SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), state);
        await using (first)
        {
            // "seeding" is printed once the check's result is journaled: a kill right after it must not cost a re-hash.
            await first.WaitForSeedingAsync(torrent.InfoHash);
            Kill(first);
        }

        var seedPort = FreePort.Next();
        var second = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, state));
        await second.WaitForSeedingAsync(torrent.InfoHash);
        Assert.Equal(torrent.Metainfo.PieceCount, await ResumedPiecesAsync(second));

        // And it really serves: a libtorrent leecher gets the data from it.
        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGet(Log, torrent.TorrentPath, outDir, FreePort.Next(), SwarmCli.Peer(seedPort)));
        await Libtorrent.WaitForCompleteAsync(leecher);
        torrent.AssertDownloadedTo(outDir);
    }

    private async Task<string?> JournalConfigAsync(string store)
    {
        if (store == "sqlite")
        {
            return null; // the embedded default
        }

        var server = Own(await PostgresServer.StartAsync(Log));
        return server.WriteSwarmConfig(Dir.Path);
    }

    private ManagedProcess Get(TestTorrent torrent, string outDir, string state, string? config, int seedPort, string? store = null) =>
        SwarmCli.Start($"swarm get ({store ?? (config is null ? "sqlite" : "postgresql")})", Log,
        [
            "get", torrent.TorrentPath, "-o", outDir, "--bind", SwarmCli.Loopback, "--port", FreePort.Next().ToString(),
            "--data-dir", state, "--peer", SwarmCli.Peer(seedPort), .. config is null ? Array.Empty<string>() : ["--config", config],
        ]);

    private static long ReceivedBytes(ManagedProcess process) =>
        process.Stderr.Select(l => Received().Match(l)).Where(m => m.Success)
            .Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Last();

    private void Kill(ManagedProcess process)
    {
        Log.WriteLine($"kill -9 {process.Name} (pid {process.Id})");
        System.Diagnostics.Process.GetProcessById(process.Id).Kill(); // SIGKILL: no shutdown hooks run
    }

    /// <summary>Polls the plain progress lines on stderr ("12.5% 6/48 pieces, …") until at least <paramref name="target"/>.</summary>
    private static async Task<int> WaitForVerifiedAsync(ManagedProcess leecher, int target)
    {
        var deadline = DateTime.UtcNow + Timeouts.Transfer;
        while (DateTime.UtcNow < deadline)
        {
            var latest = leecher.Stderr.Select(l => Progress().Match(l)).Where(m => m.Success)
                .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
            if (latest >= target)
            {
                return latest;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{leecher.Name} never reached {target} verified pieces.\n{leecher.Describe()}");
    }

    private static async Task<int> ResumedPiecesAsync(ManagedProcess process)
    {
        var deadline = DateTime.UtcNow + Timeouts.Start;
        while (DateTime.UtcNow < deadline)
        {
            var stderr = process.Stderr;
            var m = stderr.Select(l => Resumed().Match(l)).FirstOrDefault(m => m.Success);
            if (m is not null)
            {
                // Logged just before: pieces written after the journal's last row, found on disk and hashed.
                var found = stderr.Select(l => FoundOnDisk().Match(l)).FirstOrDefault(f => f.Success);
                return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) + (found is null ? 0 : int.Parse(found.Groups[1].Value, CultureInfo.InvariantCulture));
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{process.Name} did not report resuming from its journal.\n{process.Describe()}");
    }

    [GeneratedRegex(@"% (\d+)/\d+ pieces")]
    private static partial Regex Progress();

    [GeneratedRegex(@", (\d+) bytes received")]
    private static partial Regex Received();

    [GeneratedRegex(@"resumed (\d+)/\d+ verified pieces from the journal")]
    private static partial Regex Resumed();

    [GeneratedRegex(@"found on disk but not in the journal \(written before the last stop\): (\d+) verified")]
    private static partial Regex FoundOnDisk();
}
