using Xunit;

namespace Swarm.EndToEnd.Tests.Infrastructure;

public static class Assertions
{
    /// <summary>
    /// A refusal a user can read: the expected (or any non-zero) exit code, a message on stderr,
    /// and no stack trace anywhere.
    /// </summary>
    public static void CleanRejection(CommandResult result, int? expectedExitCode = null, bool oneLine = true)
    {
        var output = $"--- stdout ---\n{result.StdoutText}\n--- stderr ---\n{result.StderrText}";
        if (expectedExitCode is { } code)
        {
            Assert.True(result.ExitCode == code, $"Expected exit code {code}, got {result.ExitCode}.\n{output}");
        }
        else
        {
            Assert.True(result.ExitCode != 0, $"Expected a non-zero exit code.\n{output}");
        }

        Assert.DoesNotContain("   at ", result.StderrText + result.StdoutText, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", result.StderrText + result.StdoutText, StringComparison.OrdinalIgnoreCase);
        var lines = result.Stderr.Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        if (oneLine)
        {
            Assert.True(lines.Count == 1, $"Expected exactly one line on stderr, got {lines.Count}.\n{output}");
        }
        else
        {
            Assert.True(lines.Count > 0, $"Expected an error message on stderr.\n{output}");
        }
    }
}
