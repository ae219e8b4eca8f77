using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>
/// libtorrent 2.0 through peers/lt_peer.py: prints <c>ready</c> once listening (a seeder: once its
/// data is verified), <c>complete</c> when a download is whole, then a leecher exits 0.
/// It dials every --peer and re-dials every 2 s, so start order does not matter.
/// </summary>
public static class Libtorrent
{
    // Debian's python: a venv interpreter cannot import python3-libtorrent.
    private const string Python = "/usr/bin/python3";

    private static string Script => Path.Combine(AppContext.BaseDirectory, "peers", "lt_peer.py");

    public static Task<ManagedProcess> StartSeedAsync(
        ITestOutputHelper log, string torrent, string dataDir, int port, params IEnumerable<string> peers) =>
        Start(log, "seed", torrent, dataDir, port, peers)
            .WhenReadyAsync(seeder => seeder.WaitForLineAsync("ready", Timeouts.Start));

    /// <summary>A seeder capped at <paramref name="bytesPerSecond"/>, so a leecher can be killed mid-download.</summary>
    public static Task<ManagedProcess> StartThrottledSeedAsync(
        ITestOutputHelper log, string torrent, string dataDir, int port, int bytesPerSecond) =>
        Start(log, "seed", torrent, dataDir, port, [], ["--upload-limit", bytesPerSecond.ToString()])
            .WhenReadyAsync(seeder => seeder.WaitForLineAsync("ready", Timeouts.Start));

    public static ManagedProcess StartGet(
        ITestOutputHelper log, string torrent, string outDir, int port, params IEnumerable<string> peers) =>
        Start(log, "get", torrent, outDir, port, peers);

    /// <summary>A leecher downloading at most <paramref name="bytesPerSecond"/> (issue 15: one that stays a leecher,
    /// connected to its seeder, for the length of a test).</summary>
    public static ManagedProcess StartThrottledGet(
        ITestOutputHelper log, string torrent, string outDir, int port, int bytesPerSecond, params IEnumerable<string> peers) =>
        Start(log, "get", torrent, outDir, port, peers, ["--download-limit", bytesPerSecond.ToString()]);

    /// <summary>A seeder with libtorrent's encryption set to <paramref name="encryption"/> (<c>forced</c>: RC4-encrypted
    /// connections only, both ways; <c>disabled</c>: plain only) — issue 16.</summary>
    public static Task<ManagedProcess> StartSeedWithEncryptionAsync(
        ITestOutputHelper log, string torrent, string dataDir, int port, string encryption) =>
        Start(log, "seed", torrent, dataDir, port, [], ["--encryption", encryption])
            .WhenReadyAsync(seeder => seeder.WaitForLineAsync("ready", Timeouts.Start));

    /// <summary>A leecher with libtorrent's encryption set to <paramref name="encryption"/> (issue 16).</summary>
    public static ManagedProcess StartGetWithEncryption(
        ITestOutputHelper log, string torrent, string outDir, int port, string encryption, params IEnumerable<string> peers) =>
        Start(log, "get", torrent, outDir, port, peers, ["--encryption", encryption]);

    /// <summary>Waits for <c>complete</c> and a clean exit.</summary>
    public static async Task WaitForCompleteAsync(ManagedProcess leecher)
    {
        await leecher.WaitForLineAsync("complete", Timeouts.Transfer);
        var exitCode = await leecher.WaitForExitAsync(Timeouts.Exit);
        Xunit.Assert.True(exitCode == 0, $"{leecher.Name} exited with code {exitCode}.\n{leecher.Describe()}");
    }

    private static ManagedProcess Start(
        ITestOutputHelper log, string mode, string torrent, string dir, int port, IEnumerable<string> peers, IEnumerable<string>? extra = null) =>
        ManagedProcess.Start(
            $"libtorrent {mode} :{port}",
            Python,
            [Script, mode, torrent, dir, port.ToString(), "--bind", SwarmCli.Loopback, .. peers.SelectMany(p => new[] { "--peer", p }), .. extra ?? []],
            log);
}
