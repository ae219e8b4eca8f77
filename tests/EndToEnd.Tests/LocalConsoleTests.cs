using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Issue 14: one-shot `swarm console` commands on the node's machine go through its local socket, the shell
/// through Akka remoting; for the same node state both print the same, byte for byte.</summary>
public sealed class LocalConsoleTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Fact]
    public async Task One_shot_commands_print_what_the_shell_over_remoting_prints()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        (await node.ConsoleAsync("add", torrent.TorrentPath, "-o", torrent.Content.Parent)).EnsureSuccess();
        await node.WaitForStateAsync(torrent.InfoHash, "seeding", TimeSpan.FromSeconds(30));
        var hash = torrent.InfoHash[..8];

        string[][] commands =
        [
            ["status"],
            ["torrents"],
            ["torrents", "--json"],
            ["show", hash, "--json"],
            ["limit"],
            ["search", Payload.FolderName],
            ["dht", "--json"],
            ["pause", "no-such-torrent"],
        ];
        foreach (var words in commands)
        {
            var oneShot = await node.ConsoleAsync(words);
            var shell = await SwarmCli.RunWithInputAsync(Log, Timeouts.Start, string.Join(' ', words) + "\n", "console", "--node", node.Console);
            Assert.Equal(words[0] == "pause" ? 1 : 0, oneShot.ExitCode);
            Assert.Equal(Stable(shell.StdoutText), Stable(oneShot.StdoutText));
            Assert.Equal(shell.StderrText, oneShot.StderrText);
        }

        // Footprint (issue 14): `--node HOST:PORT` takes the fast path (no command tree), `--node=HOST:PORT` the full
        // parser (the fast path leaves that form to it); both must print the same bytes and exit the same way, for
        // answers, refusals, usage errors (the fast path hands those back) and help.
        string[][] lines =
        [
            ["status", "--json"],
            ["torrents"],
            ["limit", "--down", "5M", "--up", "none", "--json"],
            ["limit", "--down", "5Q"],
            ["limit", "--down", "none"],
            ["show", "no-such-torrent"],
            ["statsu"],
            ["pause"],
            ["help", "show"],
            ["show", hash, "--help"],
        ];
        foreach (var words in lines)
        {
            var fast = await node.ConsoleAsync(words);
            var full = await SwarmCli.RunAsync(Log, Timeouts.Reject, ["console", $"--node={node.Console}", .. words]);
            Assert.Equal(full.ExitCode, fast.ExitCode);
            Assert.Equal(Stable(full.StdoutText), Stable(fast.StdoutText));
            Assert.Equal(full.StderrText, fast.StderrText);
        }

        // Commands that change something answer the same way too: pause over the socket, resume from the shell.
        Assert.Contains($"paused {hash}", (await node.ConsoleAsync("pause", hash)).EnsureSuccess().StdoutText);
        await node.WaitForStateAsync(torrent.InfoHash, "paused", TimeSpan.FromSeconds(30));
        var resumed = await SwarmCli.RunWithInputAsync(Log, Timeouts.Start, $"resume {hash}\n", "console", "--node", node.Console);
        Assert.Contains($"resumed {hash}", resumed.StdoutText);
    }

    /// <summary>`swarm console status` with neither --node nor --config (the README's first example) asks the node the
    /// shipped configuration names (127.0.0.1:4050) through its local socket, with the configuration's secret, and a
    /// refusal of that secret is final: it is not asked again over remoting. Needs 127.0.0.1:4050 free.</summary>
    [Fact]
    public async Task A_console_without_node_asks_the_configured_node_through_its_local_socket()
    {
        var config = Path.Combine(Dir.Path, "secret.conf");
        await File.WriteAllTextAsync(config, """
            swarm.console.secret = "s3cret"
            swarm.console.wrong-secret { first-delay = 100ms, max-delay = 1s }
            """);
        var node = Own(SwarmCli.Start("swarm node 4050", Log, ["node", "--bind", SwarmCli.Loopback, "--port", "0", "--console-port", "4050", "--cluster-port", "0", "--data-dir", StateDir("node"), "--config", config]));
        Assert.Equal("console 127.0.0.1:4050", (await node.WaitForLineAsync("console ", Timeouts.Start)).Trim());

        var refused = await SwarmCli.RunAsync(Log, Timeouts.Reject, "console", "status");
        Assert.Equal(4, refused.ExitCode); // "refused by the node" (README, exit codes of `swarm console`)
        Assert.Contains("refused by the node", refused.StderrText);
        // One refusal, logged as the local socket's: the console did not go on to ask over remoting.
        var logged = node.Stderr.Where(l => l.Contains("console request from", StringComparison.Ordinal)).ToList();
        Assert.Single(logged);
        Assert.Contains("this machine (local socket)", logged[0]);

        var answered = (await SwarmCli.RunAsync(Log, Timeouts.Reject, "console", "--secret", "s3cret", "status")).EnsureSuccess();
        var named = (await SwarmCli.RunAsync(Log, Timeouts.Reject, "console", "--node", "127.0.0.1:4050", "--secret", "s3cret", "status")).EnsureSuccess();
        Assert.Equal(Stable(named.StdoutText), Stable(answered.StdoutText));
    }

    /// <summary>The uptime line counts seconds between the two runs; everything else must match.</summary>
    private static string Stable(string output) =>
        string.Join('\n', output.Split('\n').Where(l => !l.StartsWith("uptime ", StringComparison.Ordinal) && !l.Contains("\"uptimeSeconds\"", StringComparison.Ordinal)));
}
