using System.Diagnostics;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>`swarm console` against a real `swarm node` process: one-shot commands and their effects on disk and in
/// status, the shell on standard input and on a terminal (tmux), secrets, and every kind of bad input.</summary>
public sealed class ConsoleTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task One_shot_commands_add_pause_resume_and_remove_torrents()
    {
        var seeded = await TestTorrent.CreateAsync(Dir.Sub("a"), PayloadKind.MultiFile, Log);
        var empty = await TestTorrent.CreateAsync(Dir.Sub("b"), PayloadKind.SingleFile, Log, seed: 2);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));

        var added = (await node.ConsoleAsync("add", seeded.TorrentPath, "-o", seeded.Content.Parent)).EnsureSuccess();
        Assert.Contains($"added {seeded.InfoHash[..8]}", added.StdoutText);
        var seeding = await node.WaitForStateAsync(seeded.InfoHash, "seeding", Settle);
        Assert.Equal(1.0, seeding.GetProperty("progress").GetDouble());
        Assert.Equal(Payload.FolderLayout.Sum(f => f.Length), seeding.GetProperty("size").GetInt64());
        Assert.Equal(1, seeding.GetProperty("replicas").GetInt32());

        // A second torrent into an empty folder: no peers, so it waits; its file is created when its first data comes.
        var downloads = Dir.Sub("downloads");
        (await node.ConsoleAsync("add", empty.TorrentPath, "-o", downloads)).EnsureSuccess();
        await node.WaitForStateAsync(empty.InfoHash, "downloading", Settle);
        Assert.False(File.Exists(Path.Combine(downloads, Payload.SingleName)));

        // Pause by name, resume by info-hash prefix; both answer with the new state and status agrees.
        Assert.Contains("paused", (await node.ConsoleAsync("pause", Payload.FolderName)).EnsureSuccess().StdoutText);
        await node.WaitForStateAsync(seeded.InfoHash, "paused", Settle);
        var status = await node.JsonAsync("status");
        Assert.Equal(2, status.GetProperty("torrents").GetInt32());
        Assert.Equal(1, status.GetProperty("paused").GetInt32());
        Assert.Contains("resumed", (await node.ConsoleAsync("resume", seeded.InfoHash[..6])).EnsureSuccess().StdoutText);
        await node.WaitForStateAsync(seeded.InfoHash, "seeding", Settle);

        var show = await node.JsonAsync("show", seeded.InfoHash[..8]);
        Assert.Equal(Payload.FolderLayout.Count, show.GetProperty("files").GetArrayLength());
        Assert.All(show.GetProperty("files").EnumerateArray(), f => Assert.Equal(1.0, f.GetProperty("progress").GetDouble()));
        Assert.DoesNotContain('.', show.GetProperty("pieceMap").GetString()!);

        // remove keeps the data; remove --delete-data deletes only the files that torrent created (none yet here).
        (await node.ConsoleAsync("remove", seeded.InfoHash[..8])).EnsureSuccess();
        Assert.True(Directory.Exists(seeded.Content.Path));
        var bystander = Path.Combine(downloads, "not-ours.txt");
        await File.WriteAllTextAsync(bystander, "keep me");
        Assert.Contains("deleted 0 file", (await node.ConsoleAsync("remove", empty.InfoHash[..8], "--delete-data")).EnsureSuccess().StdoutText);
        Assert.False(File.Exists(Path.Combine(downloads, Payload.SingleName)));
        Assert.True(File.Exists(bystander));
        Assert.Equal(0, (await node.JsonAsync("torrents")).GetProperty("torrents").GetArrayLength());
        seeded.AssertDownloadedTo(seeded.Content.Parent);
    }

    [Fact]
    public async Task Limits_set_from_the_console_cap_uploads_and_survive_a_restart()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var state = StateDir("node");
        var node = await SwarmNodeProcess.StartAsync(Log, state);
        await using (node)
        {
            (await node.ConsoleAsync("add", torrent.TorrentPath, "-o", torrent.Content.Parent)).EnsureSuccess();
            await node.WaitForStateAsync(torrent.InfoHash, "seeding", Settle);
            const long limit = 1 << 20;
            Assert.Contains("up 1 MiB/s", (await node.ConsoleAsync("limit", torrent.InfoHash[..8], "--up", "1M")).EnsureSuccess().StdoutText);
            Assert.Contains("down 4 MiB/s", (await node.ConsoleAsync("limit", "--down", "4MiB")).EnsureSuccess().StdoutText);

            var watch = Stopwatch.StartNew();
            var leecher = Own(Libtorrent.StartGet(Log, torrent.TorrentPath, Dir.Sub("lt"), FreePort.Next(), node.Peers));
            await Libtorrent.WaitForCompleteAsync(leecher);
            watch.Stop();
            torrent.AssertDownloadedTo(Dir.Sub("lt"));
            // The bucket allows a quarter second of burst; anything much faster means the limit was not applied.
            var floor = TimeSpan.FromSeconds(((double)Payload.SingleLength / limit) - 0.5);
            Log.WriteLine($"3 MiB at a 1 MiB/s upload limit took {watch.Elapsed.TotalSeconds:0.0} s (floor {floor.TotalSeconds:0.0} s)");
            Assert.True(watch.Elapsed >= floor, $"the upload limit was not applied: {watch.Elapsed.TotalSeconds:0.0} s < {floor.TotalSeconds:0.0} s");
        }

        var restarted = Own(await SwarmNodeProcess.StartAsync(Log, state));
        var torrentLimits = await restarted.JsonAsync("limit", torrent.InfoHash[..8]);
        Assert.Equal(1 << 20, torrentLimits.GetProperty("uploadLimit").GetInt64());
        Assert.Equal(0, torrentLimits.GetProperty("downloadLimit").GetInt64());
        var nodeLimits = await restarted.JsonAsync("limit");
        Assert.Equal(4 << 20, nodeLimits.GetProperty("downloadLimit").GetInt64());
        Assert.Contains("unlimited", (await restarted.ConsoleAsync("limit", "--down", "none")).EnsureSuccess().StdoutText);
    }

    [Fact]
    public async Task Bad_input_gets_one_clear_line_and_the_documented_exit_code()
    {
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));

        var unknown = await node.ConsoleAsync("stauts");
        Assertions.CleanRejection(unknown, expectedExitCode: 2);
        Assert.Contains("Did you mean 'status'?", unknown.StderrText);

        var missing = await node.ConsoleAsync("add", Path.Combine(Dir.Path, "nope.torrent"));
        Assertions.CleanRejection(missing, expectedExitCode: 2);
        Assert.Contains("no such file", missing.StderrText);

        var garbage = Path.Combine(Dir.Path, "garbage.torrent");
        await File.WriteAllTextAsync(garbage, "d4:infoi3ee");
        var invalid = await node.ConsoleAsync("add", garbage);
        Assertions.CleanRejection(invalid, expectedExitCode: 1);
        Assert.Contains("not a valid torrent", invalid.StderrText);

        var magnet = await node.ConsoleAsync("add", "magnet:?xt=urn:btih:123");
        Assertions.CleanRejection(magnet, expectedExitCode: 1);
        Assert.Contains("invalid magnet link", magnet.StderrText);

        var noSuchTorrent = await node.ConsoleAsync("pause", "deadbeef");
        Assertions.CleanRejection(noSuchTorrent, expectedExitCode: 1);
        Assert.Contains("no torrent matches 'deadbeef'", noSuchTorrent.StderrText);

        // Two torrents with the same name: the name alone is ambiguous, and the answer lists both.
        var first = await TestTorrent.CreateAsync(Dir.Sub("one"), PayloadKind.SingleFile, Log, seed: 1);
        var second = await TestTorrent.CreateAsync(Dir.Sub("two"), PayloadKind.SingleFile, Log, seed: 2);
        (await node.ConsoleAsync("add", first.TorrentPath, "-o", first.Content.Parent)).EnsureSuccess();
        (await node.ConsoleAsync("add", second.TorrentPath, "-o", second.Content.Parent)).EnsureSuccess();
        var ambiguous = await node.ConsoleAsync("show", Payload.SingleName);
        Assertions.CleanRejection(ambiguous, expectedExitCode: 1);
        Assert.Contains("ambiguous", ambiguous.StderrText);
        Assert.Contains(first.InfoHash[..8], ambiguous.StderrText);
        Assert.Contains(second.InfoHash[..8], ambiguous.StderrText);

        var badRate = await node.ConsoleAsync("limit", "--down", "fast");
        Assertions.CleanRejection(badRate, expectedExitCode: 2);

        // Nothing listens on the port: exit 3 within the connect timeout, no stack trace.
        var watch = Stopwatch.StartNew();
        var unreachable = await SwarmCli.RunAsync(Log, Timeouts.Reject, "console", "--node", $"127.0.0.1:{FreePort.Next()}", "status");
        Assertions.CleanRejection(unreachable, expectedExitCode: 3);
        Assert.Contains("cannot reach", unreachable.StderrText);
        Log.WriteLine($"unreachable node reported in {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"reporting an unreachable node took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_node_with_a_secret_refuses_consoles_without_it()
    {
        var config = Path.Combine(Dir.Path, "secret.conf");
        await File.WriteAllTextAsync(config, "swarm.console.secret = \"correct horse\"\n");
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node"), "--config", config));

        var none = await node.ConsoleAsync("status");
        Assertions.CleanRejection(none, expectedExitCode: 4);
        Assert.Contains("requires a console secret", none.StderrText);

        var wrong = await node.ConsoleAsync("--secret", "battery staple", "status");
        Assertions.CleanRejection(wrong, expectedExitCode: 4);
        Assert.Contains("wrong console secret", wrong.StderrText);

        (await node.ConsoleAsync("--secret", "correct horse", "status")).EnsureSuccess();
        Assert.Contains("console request from", string.Join('\n', node.Process.Stderr));

        // Beyond loopback without a secret the node does not start at all.
        var open = Path.Combine(Dir.Path, "open.conf");
        await File.WriteAllTextAsync(open, "swarm.console.hostname = \"0.0.0.0\"\n");
        var refused = await SwarmCli.RunAsync(Log, Timeouts.Start, "node", "--config", open, "--port", "0", "--console-port", "0", "--data-dir", StateDir("open"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("without a secret", refused.StderrText);
    }

    [Fact]
    public async Task The_shell_reads_commands_from_standard_input()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        (await node.ConsoleAsync("add", torrent.TorrentPath, "-o", torrent.Content.Parent)).EnsureSuccess();
        await node.WaitForStateAsync(torrent.InfoHash, "seeding", Settle);

        var input = string.Join('\n', "status", "# a comment", "", "torrents", "frobnicate", "help pause", $"pause \"{Payload.SingleName}\"", "torrents --json", "exit", "status");
        var result = await SwarmCli.RunWithInputAsync(Log, Timeouts.Start, input + "\n", "console", "--node", node.Console);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Stdout, l => l.StartsWith("torrents   1 (0 downloading, 1 seeding", StringComparison.Ordinal));
        Assert.Contains(result.Stdout, l => l.StartsWith(torrent.InfoHash[..8], StringComparison.Ordinal) && l.Contains("seeding", StringComparison.Ordinal));
        Assert.Contains("usage: pause TORRENT", result.StdoutText);
        Assert.Contains($"paused {torrent.InfoHash[..8]}", result.StdoutText);
        Assert.Contains("\"state\": \"paused\"", result.StdoutText);
        Assert.Contains("unknown command 'frobnicate'", result.StderrText);
        // `exit` ends the shell: the status after it never ran.
        Assert.Single(result.Stdout, l => l.StartsWith("node ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_shell_on_a_terminal_completes_names_and_watches_progress()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        (await node.ConsoleAsync("add", torrent.TorrentPath, "-o", torrent.Content.Parent)).EnsureSuccess();
        await node.WaitForStateAsync(torrent.InfoHash, "seeding", Settle);

        var terminal = Own(await Tmux.StartAsync(Log, Dir.Path, SwarmCli.CommandLine("console", "--node", node.Console)));
        var prompt = $"swarm {node.Console}>";
        await terminal.WaitForScreenAsync(s => s.Contains(prompt, StringComparison.Ordinal), "the prompt", Settle);

        // Tab on an ambiguous word lists the choices; on a unique one it completes: the command, then the torrent's id.
        await terminal.TypeAsync("sh");
        await terminal.SendAsync("Tab");
        await terminal.WaitForScreenAsync(s => s.Contains("show  shutdown", StringComparison.Ordinal), "the choices for 'sh'", Settle);
        await terminal.TypeAsync("o");
        await terminal.SendAsync("Tab");
        await terminal.WaitForScreenAsync(s => LastLine(s) == $"{prompt} show", "'sho' completed to 'show '", Settle);
        await terminal.TypeAsync(torrent.InfoHash[..1]);
        await terminal.SendAsync("Tab");
        await terminal.WaitForScreenAsync(s => LastLine(s) == $"{prompt} show {torrent.InfoHash[..8]}", "the torrent id completed", Settle);
        await terminal.SendAsync("Enter");
        await terminal.WaitForScreenAsync(s => s.Contains($"info-hash  {torrent.InfoHash}", StringComparison.Ordinal), "the torrent's details", Settle);

        // History: Up brings the last command back; Ctrl-U clears the line again.
        await terminal.WaitForScreenAsync(s => LastLine(s) == prompt, "a fresh prompt", Settle);
        await terminal.SendAsync("Up");
        await terminal.WaitForScreenAsync(s => LastLine(s) == $"{prompt} show {torrent.InfoHash[..8]}", "the previous command recalled", Settle);
        await terminal.SendAsync("C-u");
        await terminal.WaitForScreenAsync(s => LastLine(s) == prompt, "the line cleared", Settle);

        await terminal.TypeAsync("watch");
        await terminal.SendAsync("Enter");
        var screen = await terminal.WaitForScreenAsync(
            s => s.Contains("PROGRESS", StringComparison.Ordinal) && s.Contains(Payload.SingleName, StringComparison.Ordinal) && s.Contains("100.0%", StringComparison.Ordinal),
            "the live table with the torrent at 100%",
            Settle);
        Assert.Contains("seeding", screen);
        await terminal.SendAsync("q");
        await terminal.WaitForScreenAsync(s => LastLine(s) == prompt, "the prompt back after a key stopped watch", Settle);

        await terminal.TypeAsync("exit");
        await terminal.SendAsync("Enter");
        await terminal.WaitForScreenAsync(s => s.Contains("[exited 0]", StringComparison.Ordinal), "the shell exiting with code 0", Settle);
    }

    private static string LastLine(string screen) =>
        screen.Split('\n').Select(l => l.TrimEnd()).LastOrDefault(l => l.Length > 0) ?? string.Empty;
}
