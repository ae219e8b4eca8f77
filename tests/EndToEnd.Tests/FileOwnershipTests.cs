using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Files belong to one torrent, the disk is asked before an add, and the console is guarded (issue 13), against
/// real `swarm node` and `swarm console` processes: what a user would lose (data, disk, access) is what is asserted.</summary>
public sealed class FileOwnershipTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_second_torrent_with_the_first_ones_file_name_in_its_folder_is_refused_and_the_first_data_is_unchanged()
    {
        var first = await TestTorrent.CreateAsync(Dir.Sub("first"), PayloadKind.SingleFile, Log, seed: 1);
        var second = await TestTorrent.CreateAsync(Dir.Sub("second"), PayloadKind.SingleFile, Log, seed: 2);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        var file = first.Content.Path;
        var before = Sha256(file);
        (await node.ConsoleAsync("add", first.TorrentPath, "-o", first.Content.Parent)).EnsureSuccess();
        await node.WaitForStateAsync(first.InfoHash, "seeding", Settle);

        // Same name (single.bin), same folder, other content: it would overwrite the first one's data.
        var refused = await node.ConsoleAsync("add", second.TorrentPath, "-o", first.Content.Parent);

        Assertions.CleanRejection(refused, expectedExitCode: 1);
        Assert.Contains($"belongs to torrent {first.InfoHash[..8]} (single.bin)", refused.StderrText);
        Assert.Null(await node.TorrentAsync(second.InfoHash));
        Assert.Equal(before, Sha256(file));
        Assert.Equal(Payload.SingleLength, new FileInfo(file).Length);
        Assert.Equal("seeding", (await node.TorrentAsync(first.InfoHash))!.Value.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Remove_with_delete_data_deletes_only_the_files_the_torrent_created()
    {
        var (_, torrent) = await CreateTrackedTorrentAsync(PayloadKind.MultiFile);
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        // The download folder already holds one of the torrent's files (the user's own copy) and a file of nobody's.
        var downloads = Dir.Sub("downloads");
        var theirs = Path.Combine(downloads, Payload.FolderName, "Readme.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(theirs)!);
        File.Copy(Path.Combine(torrent.Content.Path, "Readme.txt"), theirs);
        var bystander = Path.Combine(downloads, "not-ours.txt");
        await File.WriteAllTextAsync(bystander, "keep me");

        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        (await node.ConsoleAsync("add", torrent.TorrentPath, "-o", downloads)).EnsureSuccess();
        await node.WaitForStateAsync(torrent.InfoHash, "seeding", Settle);
        torrent.AssertDownloadedTo(downloads);

        var removed = (await node.ConsoleAsync("remove", torrent.InfoHash[..8], "--delete-data")).EnsureSuccess();

        Assert.Contains($"deleted {Payload.FolderLayout.Count - 1} file(s)", removed.StdoutText);
        Assert.Equal(Sha256(Path.Combine(torrent.Content.Path, "Readme.txt")), Sha256(theirs));
        Assert.Equal("keep me", await File.ReadAllTextAsync(bystander));
        // What it created is gone, folders included; the folder it found is kept, holding the user's file only.
        Assert.Equal(["Readme.txt"], Directory.EnumerateFileSystemEntries(Path.Combine(downloads, Payload.FolderName)).Select(Path.GetFileName));
    }

    [Fact]
    public async Task An_8_TiB_torrent_on_this_disk_is_refused_with_what_it_needs_and_what_is_free()
    {
        // Crafted, not hashed: one 8 TiB file in 512 MiB pieces (the hashes are never looked at, nothing is written).
        const int pieces = 16 * 1024;
        var torrentFile = Path.Combine(Dir.Path, "huge.torrent");
        var head = Encoding.ASCII.GetBytes($"d4:infod6:lengthi{8L << 40}e4:name8:huge.img12:piece lengthi{1 << 29}e6:pieces{pieces * 20}:");
        await File.WriteAllBytesAsync(torrentFile, [.. head, .. new byte[pieces * 20], (byte)'e', (byte)'e']);
        var free = new DriveInfo(Dir.Path).AvailableFreeSpace;
        Assert.True(free < 8L << 40, $"this test needs a disk with less than 8 TiB free ({free} bytes free)");
        var target = Dir.Sub("huge");
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));

        var refused = await node.ConsoleAsync("add", torrentFile, "-o", target);

        Assertions.CleanRejection(refused, expectedExitCode: 1);
        Assert.Matches(@"needs 8 TiB, [0-9.]+ [KMGT]iB free", refused.StderrText);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));
        Assert.Equal(0, (await node.JsonAsync("torrents")).GetProperty("torrents").GetArrayLength());
    }

    [Fact]
    public async Task A_relative_save_path_from_the_console_is_made_absolute_against_the_console_folder()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Sub("t"), PayloadKind.SingleFile, Log);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        var cwd = Dir.Sub("console-cwd");
        var command = SwarmCli.CommandLine("console", "--node", node.Console, "add", torrent.TorrentPath, "-o", "rel/../dl");

        var added = (await Command.RunAsync("swarm console", command[0], command.Skip(1), Timeouts.Reject, Log, workingDirectory: cwd)).EnsureSuccess();

        var absolute = Path.Combine(cwd, "dl");
        Assert.Contains($"saving to {absolute}", added.StdoutText);
        var show = await node.JsonAsync("show", torrent.InfoHash[..8]);
        Log.WriteLine(show.ToString());
        Assert.Contains(absolute, show.ToString());
    }

    [Fact]
    public async Task Wrong_secrets_are_answered_ever_later_while_a_right_secret_is_answered_at_once()
    {
        var config = Path.Combine(Dir.Path, "guard.conf");
        await File.WriteAllTextAsync(config, """
            swarm.console.secret = "correct horse"
            swarm.console.wrong-secret { first-delay = 2s, max-delay = 8s }
            """);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node"), "--config", config));

        // The node holds the answers back 2, 4 and 8 s (a console waits 14 s for an answer): whatever a console's own start costs comes on top.
        var took = new List<TimeSpan>();
        for (var i = 0; i < 2; i++)
        {
            took.Add(await TimedAsync(() => node.ConsoleAsync("--secret", $"guess {i}", "status"), wrong: true));
        }

        var third = TimedAsync(() => node.ConsoleAsync("--secret", "guess 2", "status"), wrong: true);
        // While the third guess waits for its answer, a console with the right secret is served.
        var right = await TimedAsync(() => node.ConsoleAsync("--secret", "correct horse", "status"), wrong: false);
        Assert.False(third.IsCompleted, "the right secret was answered only after the wrong one");
        took.Add(await third);

        Log.WriteLine($"wrong secrets answered after {string.Join(", ", took.Select(t => $"{t.TotalSeconds:0.0} s"))}; the right one after {right.TotalSeconds:0.0} s");
        Assert.True(took[0] >= TimeSpan.FromSeconds(2) && took[1] >= TimeSpan.FromSeconds(4) && took[2] >= TimeSpan.FromSeconds(8), "a wrong secret was answered before its delay");
        Assert.True(took[2] - right >= TimeSpan.FromSeconds(4), $"the right secret ({right.TotalSeconds:0.0} s) was slowed like the wrong ones");
        Assert.Single(node.Process.Stderr, l => l.Contains("refused: wrong secret", StringComparison.Ordinal));
    }

    private static async Task<TimeSpan> TimedAsync(Func<Task<CommandResult>> run, bool wrong)
    {
        var watch = Stopwatch.StartNew();
        var result = await run();
        watch.Stop();
        if (wrong)
        {
            Assertions.CleanRejection(result, expectedExitCode: 4);
            Assert.Contains("wrong console secret", result.StderrText);
        }
        else
        {
            result.EnsureSuccess();
        }

        return watch.Elapsed;
    }

    private static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
