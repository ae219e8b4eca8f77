using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>
/// aria2c as a seeder or leecher. aria2 has no option to dial a given peer: it learns peers from a
/// tracker only, but it accepts incoming connections, so a leecher can be pointed at an aria2 seeder.
/// When aria2 dials, it tries an encrypted (MSE) handshake first and retries in plain text about a
/// second after the other side closes.
/// </summary>
public static class Aria2
{
    private const string CompleteMarker = "aria2-bt-complete";

    /// <summary>Starts a seeder over existing data and waits until its hash check passes.</summary>
    public static Task<ManagedProcess> StartSeedAsync(
        ITestOutputHelper log, string workDir, string torrent, string dataDir, int port) =>
        Start(log, workDir, $"aria2 seed :{port}", torrent, dataDir, port,
            [
                "--check-integrity=true",
                "--bt-hash-check-seed=true",
                // Ratio 0 means: seed forever.
                "--seed-ratio=0.0",
            ])
            // The completion hook also fires after a successful initial hash check of complete data.
            .WhenReadyAsync(seeder => seeder.WaitForLineAsync(CompleteMarker, Timeouts.Start));

    /// <summary>Starts a leecher that exits 0 once the download is complete.</summary>
    public static ManagedProcess StartGet(ITestOutputHelper log, string workDir, string torrent, string outDir, int port) =>
        Start(log, workDir, $"aria2 get :{port}", torrent, outDir, port, ["--seed-time=0"]);

    public static async Task WaitForCompleteAsync(ManagedProcess leecher)
    {
        var exitCode = await leecher.WaitForExitAsync(Timeouts.Transfer);
        Xunit.Assert.True(exitCode == 0, $"{leecher.Name} exited with code {exitCode}.\n{leecher.Describe()}");
    }

    private static ManagedProcess Start(
        ITestOutputHelper log, string workDir, string name, string torrent, string dir, int port, IEnumerable<string> extra)
    {
        Directory.CreateDirectory(workDir);
        var hook = Path.Combine(workDir, "aria2-complete.sh");
        // The hook inherits aria2's stdout, so its line lands in the captured output.
        File.WriteAllText(hook, $"#!/bin/sh\necho \"{CompleteMarker} $3\"\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        return ManagedProcess.Start(name, "aria2c",
        [
            $"--dir={dir}",
            // DHT and PEX are on by default; nothing may leave loopback.
            "--enable-dht=false",
            "--enable-dht6=false",
            "--enable-peer-exchange=false",
            "--bt-enable-lpd=false",
            "--disable-ipv6=true",
            $"--interface={SwarmCli.Loopback}",
            $"--listen-port={port}",
            // The default allocation writes zeros first.
            "--file-allocation=none",
            "--auto-file-renaming=false",
            $"--on-bt-download-complete={hook}",
            "--enable-color=false",
            "--summary-interval=0",
            "--show-console-readout=false",
            "--console-log-level=notice",
            .. extra,
            torrent,
        ], log, workDir);
    }
}
