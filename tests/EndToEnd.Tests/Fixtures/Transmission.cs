using System.Text.Json;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>
/// A transmission-daemon with its own config dir, driven with transmission-remote.
/// Transmission 3.00 never dials a peer on 127.0.0.0/8 (it drops "martian" addresses from tracker
/// replies): it only accepts connections, so whoever swaps pieces with it must learn its address
/// from a tracker and dial it. It unchokes a new peer only on its 10 s rechoke timer.
/// </summary>
public sealed class Transmission : IAsyncDisposable
{
    private const string DoneMarker = "transmission-done";

    private readonly ManagedProcess _daemon;
    private readonly ITestOutputHelper _log;

    private Transmission(ManagedProcess daemon, ITestOutputHelper log, int peerPort, int rpcPort)
    {
        _daemon = daemon;
        _log = log;
        PeerPort = peerPort;
        RpcPort = rpcPort;
    }

    public int PeerPort { get; }

    public int RpcPort { get; }

    private string Rpc => $"{SwarmCli.Loopback}:{RpcPort}";

    /// <param name="encryption">settings.json's <c>encryption</c> when given: 0 prefer plain, 1 prefer encrypted,
    /// 2 require encryption (issue 16); Transmission's own default otherwise.</param>
    public static async Task<Transmission> StartAsync(ITestOutputHelper log, string workDir, int? encryption = null)
    {
        var configDir = Directory.CreateDirectory(Path.Combine(workDir, "config")).FullName;
        var downloads = Directory.CreateDirectory(Path.Combine(workDir, "downloads")).FullName;
        var doneScript = Path.Combine(workDir, "done.sh");
        // The script inherits the daemon's stdout, so completion arrives as a captured line.
        File.WriteAllText(doneScript, $"#!/bin/sh\necho \"{DoneMarker} $TR_TORRENT_HASH\"\n");
        File.SetUnixFileMode(doneScript, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var peerPort = FreePort.Next();
        var rpcPort = FreePort.Next();
        var settings = new Dictionary<string, object>
        {
            ["bind-address-ipv4"] = SwarmCli.Loopback,
            ["bind-address-ipv6"] = "::1",
            ["peer-port"] = peerPort,
            ["peer-port-random-on-start"] = false,
            ["dht-enabled"] = false,
            ["lpd-enabled"] = false,
            ["pex-enabled"] = false,
            ["port-forwarding-enabled"] = false,
            ["utp-enabled"] = false,
            ["blocklist-enabled"] = false,
            ["rpc-enabled"] = true,
            ["rpc-bind-address"] = SwarmCli.Loopback,
            ["rpc-port"] = rpcPort,
            ["rpc-authentication-required"] = false,
            ["rpc-whitelist-enabled"] = true,
            ["rpc-whitelist"] = SwarmCli.Loopback,
            ["rpc-host-whitelist-enabled"] = false,
            ["download-dir"] = downloads,
            ["incomplete-dir-enabled"] = false,
            ["watch-dir-enabled"] = false,
            ["start-added-torrents"] = true,
            // Seed forever: a test decides when Transmission stops.
            ["ratio-limit-enabled"] = false,
            ["idle-seeding-limit-enabled"] = false,
            ["speed-limit-down-enabled"] = false,
            ["speed-limit-up-enabled"] = false,
            ["alt-speed-enabled"] = false,
            ["script-torrent-done-enabled"] = true,
            ["script-torrent-done-filename"] = doneScript,
            ["message-level"] = 2,
        };
        if (encryption is { } level)
        {
            settings["encryption"] = level;
        }

        File.WriteAllText(Path.Combine(configDir, "settings.json"), JsonSerializer.Serialize(settings));

        var daemon = ManagedProcess.Start($"transmission :{peerPort}", "transmission-daemon", ["-f", "-g", configDir], log, workDir);
        var transmission = new Transmission(daemon, log, peerPort, rpcPort);
        try
        {
            await transmission.WaitForRpcAsync();
        }
        catch
        {
            await transmission.DisposeAsync();
            throw;
        }

        return transmission;
    }

    /// <summary>
    /// Adds a torrent whose content lives (or will be downloaded) in <paramref name="dir"/>.
    /// Transmission hash-checks whatever is already there.
    /// </summary>
    public async Task AddAsync(string torrent, string dir)
    {
        var result = await RemoteAsync(_log, "-a", torrent, "-w", dir);
        if (!result.StdoutText.Contains("success", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"transmission-remote did not add {torrent}:\n{result.StdoutText}\n{result.StderrText}");
        }
    }

    /// <summary>
    /// Waits for the torrent to be whole: after a download, or after the initial check of complete
    /// data (the done script fires in both cases, after the data is flushed).
    /// </summary>
    public async Task WaitForCompleteAsync(string infoHash, TimeSpan timeout)
    {
        try
        {
            await _daemon.WaitForLineAsync($"{DoneMarker} {infoHash}", timeout);
        }
        catch (TimeoutException e)
        {
            var status = await RemoteAsync(null, "-t", infoHash, "-i");
            throw new TimeoutException($"{e.Message}\n--- transmission-remote -i ---\n{status.StdoutText}", e);
        }
    }

    public ValueTask DisposeAsync() => _daemon.DisposeAsync();

    private async Task<CommandResult> RemoteAsync(ITestOutputHelper? log, params IEnumerable<string> arguments) =>
        (await Command.RunAsync("transmission-remote", "transmission-remote", [Rpc, .. arguments], Timeouts.Exit, log)).EnsureSuccess();

    private async Task WaitForRpcAsync()
    {
        var deadline = DateTime.UtcNow + Timeouts.Start;
        while (true)
        {
            var probe = await Command.RunAsync("transmission-remote", "transmission-remote", [Rpc, "-l"], Timeouts.Exit);
            if (probe.ExitCode == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline || _daemon.HasExited)
            {
                throw new InvalidOperationException($"transmission-daemon RPC never answered on {Rpc}.\n{_daemon.Describe()}");
            }

            await Task.Delay(200);
        }
    }
}
