using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Stopping is idempotent: SIGTERM, SIGINT, a second signal during the shutdown, or the console's `shutdown`
/// end the process cleanly, and its exit code says how: 0 for `seed` and `node` stopped when asked (their normal
/// end), 128 + the signal (130 SIGINT, 143 SIGTERM) for a `get` stopped before its download completed.</summary>
public sealed class ShutdownTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Theory]
    [InlineData("TERM", "TERM")]
    [InlineData("INT", "INT")]
    [InlineData("TERM", "INT")]
    [InlineData("INT", "TERM", "INT")]
    public async Task A_seeder_stopped_by_signals_in_a_row_exits_0_without_an_exception(params string[] signals)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);

        // Back to back: the later ones land while the first one's shutdown runs.
        foreach (var signal in signals)
        {
            await seeder.SignalAsync(signal);
        }

        Assert.Equal(0, await seeder.WaitForExitAsync(Timeouts.Exit));
        QuietLog.AssertQuiet(seeder.Name, seeder.Stderr);
    }

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_get_stopped_mid_download_exits_with_128_plus_the_signal_and_resumes_later(string signal, int expected)
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var seedPort = FreePort.Next();
        Own(await Libtorrent.StartThrottledSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, seedPort, 384 * 1024));
        var outDir = Dir.Sub("out");
        var state = StateDir("leecher");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), state, SwarmCli.Peer(seedPort)));
        await leecher.WaitForStderrLineAsync(l => l.Contains(" pieces, ", StringComparison.Ordinal) && !l.StartsWith("0.0%", StringComparison.Ordinal), "progress", Timeouts.Transfer);

        await leecher.SignalAsync(signal);
        await leecher.SignalAsync(signal);

        Assert.Equal(expected, await leecher.WaitForExitAsync(Timeouts.Exit));
        Assert.DoesNotContain(leecher.Stdout, l => l.StartsWith("complete", StringComparison.Ordinal));
        QuietLog.AssertQuiet(leecher.Name, leecher.Stderr);

        // What it verified before the stop was journaled: the same command finishes the download.
        var again = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), state, SwarmCli.Peer(seedPort)));
        await again.WaitForStderrLineAsync(l => l.Contains("verified pieces from the journal", StringComparison.Ordinal), "the resume line", Timeouts.Start);
        await again.WaitForCompleteAsync(torrent.InfoHash);
        torrent.AssertDownloadedTo(outDir);
    }

    [Theory]
    [InlineData("TERM", "TERM")]
    [InlineData("INT", "TERM")]
    public async Task A_node_stopped_by_signals_in_a_row_exits_0_and_does_not_take_it_for_a_removal(string first, string second)
    {
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));

        await node.Process.SignalAsync(first);
        await node.Process.SignalAsync(second);

        Assert.Equal(0, await node.Process.WaitForExitAsync(Timeouts.Exit));
        Assert.DoesNotContain(node.Process.Stderr, l => l.Contains("restarting to rejoin", StringComparison.Ordinal));
        QuietLog.AssertQuiet(node.Process.Name, node.Process.Stderr);
    }

    [Fact]
    public async Task A_node_stopped_from_the_console_exits_0_even_if_a_signal_follows()
    {
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));

        (await node.ConsoleAsync("shutdown")).EnsureSuccess();
        await node.Process.SignalAsync("TERM");

        Assert.Equal(0, await node.Process.WaitForExitAsync(Timeouts.Exit));
        Assert.DoesNotContain(node.Process.Stderr, l => l.Contains("restarting to rejoin", StringComparison.Ordinal));
        // The node logs who asked for the stop; nothing else may show.
        QuietLog.AssertNoExceptions(node.Process.Name, [.. node.Process.Stdout, .. node.Process.Stderr]);
    }
}
