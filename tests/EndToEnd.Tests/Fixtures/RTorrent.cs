using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>
/// rTorrent 0.9.8 (libtorrent 0.13) as a daemon (no terminal UI) with an rc file of its own that loads one torrent.
/// It binds its own loopback address for everything: it connects to itself when a tracker lists it and then ignores
/// every other peer on that address, so each side of a test needs an address of its own. A seeder it learns from a
/// tracker must have announced from the address it listens on. rTorrent gives hooks no stdout, so its events
/// (a hash check done, a download finished) come to a file the fixture reads.
/// </summary>
public sealed class RTorrent : IAsyncDisposable
{
    private readonly ManagedProcess _process;
    private readonly string _events;
    private readonly string _log;

    private RTorrent(ManagedProcess process, string address, int peerPort, string events, string log)
    {
        _process = process;
        Address = address;
        PeerPort = peerPort;
        _events = events;
        _log = log;
    }

    /// <summary>The loopback address it listens, dials and announces from.</summary>
    public string Address { get; }

    public int PeerPort { get; }

    public string PeerEndpoint => $"{Address}:{PeerPort}";

    /// <summary>Starts rTorrent with <paramref name="torrent"/> loaded and started, its content in (or downloaded to)
    /// <paramref name="dataDir"/>; it checks whatever is already there.</summary>
    public static RTorrent Start(ITestOutputHelper log, string workDir, string address, string torrent, string dataDir)
    {
        Directory.CreateDirectory(workDir);
        var events = Path.Combine(workDir, "events.txt");
        var logFile = Path.Combine(workDir, "rtorrent.log");
        var hook = Path.Combine(workDir, "event.sh");
        File.WriteAllText(hook, $"#!/bin/sh\necho \"$1 $2 $3\" >> '{events}'\n");
        File.SetUnixFileMode(hook, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var port = FreePort.Next();
        var rc = Path.Combine(workDir, "rtorrent.rc");
        File.WriteAllLines(rc,
        [
            $"directory.default.set = \"{dataDir}\"",
            $"network.bind_address.set = {address}",
            $"network.local_address.set = {address}",
            $"network.port_range.set = {port}-{port}",
            "network.port_random.set = no",
            "dht.mode.set = disable",
            "protocol.pex.set = no",
            "trackers.use_udp.set = yes",
            // No terminal UI: it runs as a plain child process.
            "system.daemon.set = true",
            $"method.set_key = event.download.hash_done, swarm_test, \"execute.nothrow = {hook}, hash-done, $d.hash=, $d.complete=\"",
            $"method.set_key = event.download.finished, swarm_test, \"execute.nothrow = {hook}, finished, $d.hash=, $d.complete=\"",
            $"log.open_file = \"test\", \"{logFile}\"",
            "log.add_output = \"info\", \"test\"",
            $"load.start = \"{torrent}\"",
        ]);

        // -n: not the user's ~/.rtorrent.rc.
        var process = ManagedProcess.Start($"rtorrent {address}:{port}", "rtorrent", ["-n", "-o", $"import={rc}"], log, workDir);
        return new RTorrent(process, address, port, events, logFile);
    }

    /// <summary>Waits for the initial check of complete data to pass; fails at once if it found the data incomplete.</summary>
    public async Task WaitForSeedingAsync(string infoHash)
    {
        var line = await WaitForEventAsync($"hash-done {infoHash}", Timeouts.Start);
        if (!line.EndsWith(" 1", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"rTorrent's check found the data of {infoHash} incomplete ({line}).\n{Describe()}");
        }
    }

    /// <summary>Waits until rTorrent has downloaded and checked every piece.</summary>
    public Task WaitForCompleteAsync(string infoHash, TimeSpan timeout) => WaitForEventAsync($"finished {infoHash}", timeout);

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
    }

    private async Task<string> WaitForEventAsync(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var line = ReadEvents().FirstOrDefault(l => l.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{_process.Name} exited before the event \"{prefix}\".\n{Describe()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{_process.Name} did not report \"{prefix}\" within {timeout.TotalSeconds:0} s.\n{Describe()}");
            }

            await Task.Delay(100);
        }
    }

    private string[] ReadEvents() => File.Exists(_events) ? File.ReadAllLines(_events) : [];

    private string Describe() =>
        $"--- events ---\n{string.Join('\n', ReadEvents())}\n--- rtorrent.log ---\n{(File.Exists(_log) ? File.ReadAllText(_log) : "")}\n{_process.Describe()}";
}
