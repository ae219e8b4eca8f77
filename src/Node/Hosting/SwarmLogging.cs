using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Swarm.Node.Hosting;

/// <summary>How every `swarm` process logs: one line per event on stderr (stdout carries the machine-readable lines
/// such as "complete &lt;hash&gt;"), levels filtered by Akka's own loglevel from hocon.</summary>
public static class SwarmLogging
{
    public static ILoggingBuilder UseSwarmConsole(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.SetMinimumLevel(LogLevel.Debug);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        return logging;
    }
}
