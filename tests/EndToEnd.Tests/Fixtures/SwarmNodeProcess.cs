using System.Text.Json;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>A real `swarm node` process on loopback with its console on a free port, and `swarm console` one-shots
/// against it.</summary>
public sealed class SwarmNodeProcess : IAsyncDisposable
{
    private readonly ITestOutputHelper _log;

    private SwarmNodeProcess(ManagedProcess process, ITestOutputHelper log, string console, string peers, string dataDir, string cluster, string? rpc)
    {
        Rpc = rpc;
        Cluster = cluster;
        Process = process;
        _log = log;
        Console = console;
        Peers = peers;
        DataDir = dataDir;
    }

    public ManagedProcess Process { get; }

    /// <summary>HOST:PORT of the console endpoint, as the node printed it.</summary>
    public string Console { get; }

    /// <summary>The peer-wire endpoint, as the node printed it.</summary>
    public string Peers { get; }

    public string DataDir { get; }

    /// <summary>HOST:PORT of its cluster address, what others pass to --seed-node.</summary>
    public string Cluster { get; }

    /// <summary>HOST:PORT of its HTTP surface (Transmission RPC, metrics, health); null when swarm.rpc.enabled is off.</summary>
    public string? Rpc { get; }

    public static async Task<SwarmNodeProcess> StartAsync(ITestOutputHelper log, string dataDir, params IEnumerable<string> extra)
    {
        var process = SwarmCli.Start($"swarm node {Path.GetFileName(dataDir)}", log, ["node", "--bind", SwarmCli.Loopback, "--port", "0", "--console-port", "0", "--cluster-port", "0", "--data-dir", dataDir, .. extra]);
        try
        {
            var console = (await process.WaitForLineAsync("console ", Timeouts.Start))["console ".Length..].Trim();
            var cluster = (await process.WaitForLineAsync("cluster ", Timeouts.Start))["cluster ".Length..].Trim();
            var peers = (await process.WaitForLineAsync("peers ", Timeouts.Start))["peers ".Length..].Trim();
            // Printed before "peers": already there when it is.
            var rpc = process.Stdout.FirstOrDefault(l => l.StartsWith("rpc ", StringComparison.Ordinal))?["rpc ".Length..].Trim();
            return new SwarmNodeProcess(process, log, console, peers, dataDir, cluster, rpc);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    /// <summary>`swarm console --node CONSOLE ARGS…`.</summary>
    public Task<CommandResult> ConsoleAsync(params string[] args) =>
        SwarmCli.RunAsync(_log, Timeouts.Reject, ["console", "--node", Console, .. args]);

    /// <summary>A `--json` console command that must succeed, parsed.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = (await ConsoleAsync([.. args, "--json"])).EnsureSuccess();
        return JsonDocument.Parse(result.StdoutText).RootElement.Clone();
    }

    public async Task<JsonElement?> TorrentAsync(string infoHash)
    {
        var list = await JsonAsync("torrents");
        foreach (var t in list.GetProperty("torrents").EnumerateArray())
        {
            if (t.GetProperty("infoHash").GetString() == infoHash)
            {
                return t;
            }
        }

        return null;
    }

    /// <summary>Polls `torrents --json` until the torrent is in <paramref name="state"/>.</summary>
    public async Task<JsonElement> WaitForStateAsync(string infoHash, string state, TimeSpan timeout) =>
        (await Poll.UntilAsync(
            () => TorrentAsync(infoHash),
            t => t!.Value.GetProperty("state").GetString() == state,
            timeout,
            TimeSpan.FromMilliseconds(250),
            last => $"torrent {infoHash} did not reach '{state}' within {timeout.TotalSeconds:0} s; last seen: {last?.ToString() ?? "not listed"}"))!.Value;

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
