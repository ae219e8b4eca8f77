using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>The outcome of a short-lived command.</summary>
public sealed record CommandResult(string Name, int ExitCode, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr)
{
    public string StdoutText => string.Join('\n', Stdout);

    public string StderrText => string.Join('\n', Stderr);

    public CommandResult EnsureSuccess()
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Name} failed with exit code {ExitCode}.\n--- stdout ---\n{StdoutText}\n--- stderr ---\n{StderrText}");
        }

        return this;
    }
}

/// <summary>Runs a command to completion.</summary>
public static class Command
{
    public static async Task<CommandResult> RunAsync(
        string name,
        string fileName,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        ITestOutputHelper? log = null,
        string? workingDirectory = null,
        string? standardInput = null,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var process = ManagedProcess.Start(name, fileName, arguments, log, workingDirectory, standardInput, environment);
        var exitCode = await process.WaitForExitAsync(timeout);
        return new CommandResult(name, exitCode, process.Stdout, process.Stderr);
    }
}
