using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Runs the built <c>swarm</c> executable exactly as a user would: <c>dotnet swarm.dll ...</c> from
/// <c>src/Node/bin/&lt;Configuration&gt;/net10.0</c>, in the configuration these tests were built with.
/// </summary>
public static class SwarmCli
{
    public const string Loopback = "127.0.0.1";

    /// <summary>The path of swarm.dll; throws with a build instruction when it is missing.</summary>
    public static string DllPath
    {
        get
        {
            var baseDirectory = AppContext.BaseDirectory;
            var repo = new DirectoryInfo(baseDirectory);
            while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "SwarmActors.sln")))
            {
                repo = repo.Parent;
            }

            if (repo is null)
            {
                throw new InvalidOperationException($"No SwarmActors.sln in any folder above {baseDirectory}.");
            }

            var configuration = Configuration(baseDirectory);
            var dll = Path.Combine(repo.FullName, "src", "Node", "bin", configuration, "net10.0", "swarm.dll");
            if (!File.Exists(dll))
            {
                throw new FileNotFoundException(
                    $"swarm is not built: {dll} does not exist. Build the solution first: " +
                    $"dotnet build {Path.Combine(repo.FullName, "SwarmActors.sln")} -c {configuration}", dll);
            }

            return dll;
        }
    }

    /// <summary>The `dotnet` host the CLI gave the test run, so the same runtime runs swarm.</summary>
    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
        ? host
        : "dotnet";

    /// <summary>
    /// SWARM_E2E_COMMAND names an executable to run instead of `dotnet swarm.dll`, e.g. a published
    /// single-file build.
    /// </summary>
    private static (string FileName, string[] Prefix) Executable =>
        Environment.GetEnvironmentVariable("SWARM_E2E_COMMAND") is { Length: > 0 } command
            ? (command, [])
            : (DotnetHost, [DllPath]);

    public static ManagedProcess Start(string name, ITestOutputHelper log, params IEnumerable<string> arguments)
    {
        var (fileName, prefix) = Executable;
        return ManagedProcess.Start(name, fileName, [.. prefix, .. FreeRpcPort(arguments)], log);
    }

    /// <summary><see cref="Start"/> with variables set in (or, null, removed from) the process's environment.</summary>
    public static ManagedProcess StartWith(IReadOnlyDictionary<string, string?> environment, string name, ITestOutputHelper log, params IEnumerable<string> arguments)
    {
        var (fileName, prefix) = Executable;
        return ManagedProcess.Start(name, fileName, [.. prefix, .. FreeRpcPort(arguments)], log, environment: environment);
    }

    /// <summary><see cref="RunAsync(ITestOutputHelper, TimeSpan, IEnumerable{string})"/> with variables set in the
    /// process's environment.</summary>
    public static Task<CommandResult> RunWithAsync(IReadOnlyDictionary<string, string?> environment, ITestOutputHelper log, TimeSpan timeout, params IEnumerable<string> arguments)
    {
        var (fileName, prefix) = Executable;
        return Command.RunAsync("swarm", fileName, [.. prefix, .. FreeRpcPort(arguments)], timeout, log, environment: environment);
    }

    public static Task<CommandResult> RunAsync(ITestOutputHelper log, TimeSpan timeout, params IEnumerable<string> arguments)
    {
        var (fileName, prefix) = Executable;
        return Command.RunAsync("swarm", fileName, [.. prefix, .. FreeRpcPort(arguments)], timeout, log);
    }

    /// <summary>Runs swarm with <paramref name="standardInput"/> as its whole input (then end of input).</summary>
    public static Task<CommandResult> RunWithInputAsync(ITestOutputHelper log, TimeSpan timeout, string standardInput, params IEnumerable<string> arguments)
    {
        var (fileName, prefix) = Executable;
        return Command.RunAsync("swarm", fileName, [.. prefix, .. FreeRpcPort(arguments)], timeout, log, standardInput: standardInput);
    }

    /// <summary>The command line that runs swarm, for a shell (tmux) to run it.</summary>
    public static IReadOnlyList<string> CommandLine(params IEnumerable<string> arguments)
    {
        var (fileName, prefix) = Executable;
        return [fileName, .. prefix, .. FreeRpcPort(arguments)];
    }

    /// <summary>A `swarm node` of a test listens for RPC on any free port unless the test passes --rpc-port: tests run
    /// nodes side by side, and the default 9091 would be taken by the first.</summary>
    private static IEnumerable<string> FreeRpcPort(IEnumerable<string> arguments)
    {
        var list = arguments.ToList();
        return list.Count > 0 && list[0] == "node" && !list.Contains("--rpc-port") ? [.. list, "--rpc-port", "0"] : list;
    }

    /// <summary>`swarm seed`; await <c>seeding &lt;infoHash&gt;</c> with <see cref="WaitForSeedingAsync"/>.</summary>
    public static ManagedProcess Seed(
        ITestOutputHelper log, string torrent, string dataDir, int port, string stateDir, params IEnumerable<string> peers) =>
        Start($"swarm seed :{port}", log, ["seed", torrent, "--data", dataDir, .. NodeOptions(port, stateDir, peers)]);

    /// <summary>`swarm seed --bind <paramref name="address"/>`: every socket of the seeder (listener, announces) on an
    /// address of its own, for peers that tell peers apart by address (rTorrent).</summary>
    public static ManagedProcess SeedBoundTo(
        string address, ITestOutputHelper log, string torrent, string dataDir, int port, string stateDir) =>
        Start($"swarm seed {address}:{port}", log, ["seed", torrent, "--data", dataDir, .. NodeOptions(port, stateDir, [], address)]);

    /// <summary>`swarm get`; await <c>complete &lt;infoHash&gt;</c> with <see cref="WaitForCompleteAsync"/>.</summary>
    public static ManagedProcess Get(
        ITestOutputHelper log, string torrent, string outDir, int port, string stateDir, params IEnumerable<string> peers) =>
        Start($"swarm get :{port}", log, ["get", torrent, "-o", outDir, .. NodeOptions(port, stateDir, peers)]);

    public static async Task WaitForSeedingAsync(this ManagedProcess seeder, string infoHash)
    {
        var line = await seeder.WaitForLineAsync("seeding ", Timeouts.Start);
        Xunit.Assert.Equal($"seeding {infoHash}", line.TrimEnd());
    }

    /// <summary>Waits for <c>complete &lt;infoHash&gt;</c>, then for exit code 0.</summary>
    public static async Task WaitForCompleteAsync(this ManagedProcess leecher, string infoHash)
    {
        var line = await leecher.WaitForLineAsync("complete ", Timeouts.Transfer);
        Xunit.Assert.Equal($"complete {infoHash}", line.TrimEnd());
        var exitCode = await leecher.WaitForExitAsync(Timeouts.Exit);
        Xunit.Assert.True(exitCode == 0, $"{leecher.Name} printed complete but exited with code {exitCode}.\n{leecher.Describe()}");
    }

    public static string Peer(int port) => $"{Loopback}:{port}";

    private static IEnumerable<string> NodeOptions(int port, string stateDir, IEnumerable<string> peers, string bind = Loopback)
    {
        yield return "--bind";
        yield return bind;
        yield return "--port";
        yield return port.ToString();
        yield return "--data-dir";
        yield return stateDir;
        foreach (var peer in peers)
        {
            yield return "--peer";
            yield return peer;
        }
    }

    private static string Configuration(string baseDirectory)
    {
        // The test assembly lives in tests/EndToEnd.Tests/bin/<Configuration>/net10.0/.
        var parts = baseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Debug";
    }
}
