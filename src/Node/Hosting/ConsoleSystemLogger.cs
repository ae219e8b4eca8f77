using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;

namespace Swarm.Node.Hosting;

/// <summary>Logger of the console's actor system. A console is a short-lived client: every time one exits, classic
/// remoting reports the closed association as a warning and an error. Those are routine here and go to Debug; every
/// other event reaches Microsoft.Extensions.Logging like the node's own.</summary>
public sealed class ConsoleSystemLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public ConsoleSystemLogger()
    {
        var factory = Context.System.Settings.Setup.Get<LoggerFactorySetup>().Value.LoggerFactory;
        var log = factory.CreateLogger("Swarm.Console");
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            var message = e.ToString();
            var level = e.LogLevel() switch
            {
                Akka.Event.LogLevel.DebugLevel => Microsoft.Extensions.Logging.LogLevel.Debug,
                Akka.Event.LogLevel.InfoLevel => Microsoft.Extensions.Logging.LogLevel.Information,
                Akka.Event.LogLevel.WarningLevel => Microsoft.Extensions.Logging.LogLevel.Warning,
                _ => Microsoft.Extensions.Logging.LogLevel.Error,
            };
            if (IsConsoleDeparture(e))
            {
                if (Context.System.EventStream.LogLevel != Akka.Event.LogLevel.DebugLevel)
                {
                    return;
                }

                level = Microsoft.Extensions.Logging.LogLevel.Debug;
            }

            log.Log(level, "{Source}: {Message}", e.LogSource, e.Message);
        });
    }

    private static bool IsConsoleDeparture(LogEvent e) =>
        e.LogSource.Contains("/system/endpointManager/", StringComparison.Ordinal)
        && (e.Cause?.GetType().Name == "EndpointDisassociatedException"
            || e.Message?.ToString()?.Contains("address is now gated", StringComparison.Ordinal) == true
            || e.Message?.ToString()?.StartsWith("Disassociated", StringComparison.Ordinal) == true);
}
