using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Akka.Hosting.Logging;
using Microsoft.Extensions.Logging;
using Swarm.Actors;
using AkkaLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Swarm.Node.Hosting;

/// <summary>Akka's logger for the node's actor system: each log event becomes one Microsoft.Extensions.Logging entry,
/// written by <see cref="SwarmConsoleFormatter"/> as one line naming the actor (Akka.Hosting's own bridge wrote
/// Akka's formatted event, with its level, date, thread and path, inside a second prefix). Akka's own components
/// report routine facts at INFO ("Remoting started"): those are demoted to swarm.logging.akka-info-level, so that
/// INFO shows the node's own events.</summary>
public class AkkaLogBridge : HandlerActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly ILoggerFactory _factory;
    private readonly ConcurrentDictionary<string, ILogger> _loggers = new(StringComparer.Ordinal);
    private readonly LogLevel _akkaInfoLevel;

    public AkkaLogBridge()
    {
        _factory = Context.System.Settings.Setup.Get<LoggerFactorySetup>().Value.LoggerFactory;
        _akkaInfoLevel = ToLevel(Akka.Event.Logging.LogLevelFor(Context.System.Settings.Config.GetString("swarm.logging.akka-info-level", "DEBUG")));
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Write);
    }

    /// <summary>Events that are routine for this actor system whatever their level (logged at Debug).</summary>
    protected virtual bool IsRoutine(LogEvent e) => false;

    private void Write(LogEvent e)
    {
        var level = ToLevel(e.LogLevel());
        if (IsRoutine(e))
        {
            level = LogLevel.Debug;
        }
        else if (level == LogLevel.Information && IsAkkasOwn(e))
        {
            level = _akkaInfoLevel;
        }

        // The event stream let the event through at its own level; a demoted one must still clear the current level.
        if (level < ToLevel(Context.System.EventStream.LogLevel))
        {
            return;
        }

        var category = e.LogClass?.FullName ?? "Akka";
        var logger = _loggers.GetOrAdd(category, _factory.CreateLogger);
        // wire: a message our serializer refused is told in our words (Akka's adds a misleading serializer hint).
        var refusal = WireRefusalLine.Of(e);
        var line = new ActorLogLine(LogLines.Source(e.LogSource), refusal ?? MessageOf(e));
        logger.Log(level, default, line, refusal is null ? e.Cause : null, static (l, _) => l.ToString());
    }

    internal static string MessageOf(LogEvent e)
    {
        try
        {
            return e.Message?.ToString() ?? string.Empty;
        }
        catch (FormatException ex)
        {
            return $"(unformattable log message: {ex.Message})";
        }
    }

    internal static bool IsAkkasOwn(LogEvent e) =>
        e.LogClass?.Namespace is { } ns ? ns.StartsWith("Akka", StringComparison.Ordinal) : !(e.LogSource?.Contains("/user/", StringComparison.Ordinal) ?? false);

    internal static LogLevel ToLevel(AkkaLevel level) => level switch
    {
        AkkaLevel.DebugLevel => LogLevel.Debug,
        AkkaLevel.InfoLevel => LogLevel.Information,
        AkkaLevel.WarningLevel => LogLevel.Warning,
        AkkaLevel.ErrorLevel => LogLevel.Error,
        _ => LogLevel.None,
    };

}

/// <summary>One actor's log event: where it came from and what it says.</summary>
public readonly record struct ActorLogLine(string Source, string Text)
{
    public override string ToString() => $"[{Source}] {Text}";
}

/// <summary>Akka's logger while the real one is not running (start-up, and shutdown once loggers have stopped):
/// Akka's StandardOutLogger would write its own format to stdout, which carries scripts' lines. This writes the same
/// lines as <see cref="AkkaLogBridge"/> to stderr; without the system's level at hand, it keeps warnings and errors, and
/// the node's own information (Akka's routine INFO stays out, as with the default akka-info-level).</summary>
public sealed class StderrStartupLogger : MinimalLogger
{
    protected override void Log(object message)
    {
        if (message is not LogEvent e)
        {
            return;
        }

        var level = AkkaLogBridge.ToLevel(e.LogLevel());
        if (level < Microsoft.Extensions.Logging.LogLevel.Information
            || (level == Microsoft.Extensions.Logging.LogLevel.Information && AkkaLogBridge.IsAkkasOwn(e)))
        {
            return;
        }

        Console.Error.Write(LogLines.Compose(e.Timestamp.ToLocalTime(), level, LogLines.Source(e.LogSource), AkkaLogBridge.MessageOf(e), e.Cause, stackTrace: false));
    }
}
