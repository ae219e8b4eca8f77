using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Swarm.Node.Hosting;

/// <summary>Options of <see cref="SwarmConsoleFormatter"/>.</summary>
public sealed class SwarmConsoleFormatterOptions : ConsoleFormatterOptions
{
    /// <summary>Write an exception's stack trace under its line (with loglevel DEBUG); otherwise its type and
    /// message end the line.</summary>
    public bool StackTraces { get; set; }
}

/// <summary>Writes every log entry of a `swarm` process to stderr as one line (<see cref="LogLines"/>); the source is
/// the actor for Akka's events (<see cref="ActorLogLine"/>), else the logger's category.</summary>
public sealed class SwarmConsoleFormatter(IOptionsMonitor<SwarmConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "swarm";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var (source, text) = logEntry.State is ActorLogLine line
            ? (line.Source, line.Text)
            : (logEntry.Category, logEntry.Formatter(logEntry.State, null));
        if (string.IsNullOrEmpty(text) && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(LogLines.Compose(DateTime.Now, logEntry.LogLevel, source, text ?? string.Empty, logEntry.Exception, options.CurrentValue.StackTraces));
    }
}
