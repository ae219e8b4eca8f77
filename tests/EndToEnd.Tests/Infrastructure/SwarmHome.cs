using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A fresh HOME in which swarm runs as a new user's would: no --data-dir, no --bind, the state in
/// HOME/.local/share/swarm, commands started from HOME. XDG_DATA_HOME and the journal variable are cleared so that
/// nothing of the machine running the tests leaks in.
/// </summary>
public sealed class SwarmHome
{
    private readonly ITestOutputHelper _log;

    public SwarmHome(string path, ITestOutputHelper log)
    {
        Path = Directory.CreateDirectory(path).FullName;
        _log = log;
    }

    public string Path { get; }

    /// <summary>Where swarm keeps its state by default in this home.</summary>
    public string StateRoot => System.IO.Path.Combine(Path, ".local", "share", "swarm");

    private IReadOnlyDictionary<string, string?> Environment => new Dictionary<string, string?>
    {
        ["HOME"] = Path,
        ["XDG_DATA_HOME"] = null,
        ["SWARM_JOURNAL_CONNECTION_STRING"] = null,
    };

    /// <summary>A path as the shell expands it: `~/x` is HOME/x.</summary>
    public string Expand(string path) => path.StartsWith("~/", StringComparison.Ordinal) ? System.IO.Path.Combine(Path, path[2..]) : path;

    /// <summary>A long-running swarm command (`seed`, `get`, `node`), from HOME.</summary>
    public ManagedProcess Start(string name, params string[] arguments)
    {
        var line = SwarmCli.CommandLine(arguments);
        return ManagedProcess.Start(name, line[0], line.Skip(1), _log, Path, environment: Environment);
    }

    /// <summary>A swarm command run to completion, from HOME.</summary>
    public Task<CommandResult> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var line = SwarmCli.CommandLine(arguments);
        return Command.RunAsync("swarm", line[0], line.Skip(1), timeout, _log, Path, environment: Environment);
    }
}
