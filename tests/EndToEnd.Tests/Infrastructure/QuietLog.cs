using System.Text.RegularExpressions;
using Xunit;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>What a normal run's stderr must not hold: warnings, errors, stack traces, unhandled exceptions, or Akka's
/// own log format (a second prefix inside ours).</summary>
public static partial class QuietLog
{
    public static void AssertQuiet(string name, IEnumerable<string> stderr)
    {
        var noisy = stderr.Where(IsNoise).ToList();
        Assert.True(noisy.Count == 0, $"{name} logged {noisy.Count} warning/error line(s) on a normal run:\n{string.Join('\n', noisy)}");
    }

    /// <summary>Every stderr line is one of ours: a log line in the one format, a progress line, or a `swarm:` message
    /// (no second prefix, no multi-line event).</summary>
    public static void AssertOneFormat(string name, IEnumerable<string> stderr)
    {
        var foreign = stderr.Where(l => l.Length > 0 && !OurLine().IsMatch(l) && !ProgressLine().IsMatch(l) && !l.StartsWith("swarm: ", StringComparison.Ordinal)).ToList();
        Assert.True(foreign.Count == 0, $"{name} wrote {foreign.Count} line(s) in another format:\n{string.Join('\n', foreign)}");
    }

    /// <summary>Weaker: whatever it logged, nothing ended in an exception.</summary>
    public static void AssertNoExceptions(string name, IEnumerable<string> lines)
    {
        var traces = lines.Where(l => l.Contains("   at ", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.True(traces.Count == 0, $"{name} printed an exception:\n{string.Join('\n', traces)}");
    }

    public static bool IsNoise(string line) =>
        Level().IsMatch(line)
        || line.Contains("   at ", StringComparison.Ordinal)
        || line.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase)
        || line.Contains("[WARNING]", StringComparison.Ordinal)
        || line.Contains("[ERROR]", StringComparison.Ordinal)
        || line.StartsWith("warn:", StringComparison.Ordinal)
        || line.StartsWith("fail:", StringComparison.Ordinal)
        || line.StartsWith("crit:", StringComparison.Ordinal)
        || line.StartsWith("swarm: warning", StringComparison.Ordinal);

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} (debug|info |warn |error|crit ) \[[^\]]+\] \S")]
    private static partial Regex OurLine();

    [GeneratedRegex(@"^\d+\.\d% \d+/\d+ pieces, ")]
    private static partial Regex ProgressLine();

    /// <summary>Our line format, `HH:mm:ss.fff level [source] message`, at warning or above.</summary>
    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} (warn|error|crit)\b")]
    private static partial Regex Level();
}
