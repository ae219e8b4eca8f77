using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Swarm.Node.Hosting;

/// <summary>How every `swarm` process logs: one line per event on stderr in <see cref="SwarmConsoleFormatter"/>'s
/// format (stdout carries the machine-readable lines such as "complete &lt;hash&gt;"); levels are Akka's
/// (akka.loglevel in hocon, `log-level` in the console), applied by <see cref="AkkaLogBridge"/>.</summary>
public static class SwarmLogging
{
    public static ILoggingBuilder UseSwarmConsole(this ILoggingBuilder logging, bool stackTraces = false)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Debug);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddConsole(o => o.FormatterName = SwarmConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<SwarmConsoleFormatter, SwarmConsoleFormatterOptions>(o => o.StackTraces = stackTraces);
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        return logging;
    }
}
