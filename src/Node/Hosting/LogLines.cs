using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Swarm.Node.Hosting;

/// <summary>The one line a log event becomes, `HH:mm:ss.fff level [source] message`, shared by the logging
/// provider's formatter and Akka's start-up/shutdown logger. One event is one line: line breaks and terminal control
/// characters inside the message are escaped, so a name from a torrent can neither forge lines nor drive the
/// terminal.</summary>
public static partial class LogLines
{
    public static string Compose(DateTime localTime, LogLevel level, string source, string text, Exception? exception, bool stackTrace)
    {
        var line = new StringBuilder(text.Length + 64);
        line.Append(localTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)).Append(' ');
        line.Append(Level(level)).Append(" [").Append(source).Append("] ");
        AppendEscaped(line, text);
        if (exception is not null && !stackTrace)
        {
            line.Append(" (").Append(exception.GetType().Name).Append(": ");
            AppendEscaped(line, exception.Message);
            line.Append(')');
        }

        line.Append('\n');
        if (exception is not null && stackTrace)
        {
            line.Append(exception).Append('\n');
        }

        return line.ToString();
    }

    /// <summary>An Akka log source as a line names it: the path below /user (`node/torrents/torrent-37664081…-…`),
    /// or below the system (`system/…`), or Akka's own name for it (`CoordinatedShutdown`).</summary>
    public static string Source(string? logSource)
    {
        if (string.IsNullOrEmpty(logSource))
        {
            return "akka";
        }

        var path = ActorAddress().Replace(logSource, string.Empty);
        var owner = path.IndexOf(" (akka", StringComparison.Ordinal);
        if (owner > 0)
        {
            path = path[..owner];
        }

        // Torrent actors are named by the full info-hash; its first 8 digits are the id every line and the console use.
        return InfoHash().Replace(path, m => m.Value[..8] + "…");
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info ",
        LogLevel.Warning => "warn ",
        LogLevel.Error => "error",
        _ => "crit ",
    };

    private static void AppendEscaped(StringBuilder line, string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                line.Append(c switch
                {
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    _ => $"\\u{(int)c:x4}",
                });
            }
            else
            {
                line.Append(c);
            }
        }
    }

    /// <summary>`akka://swarm/user/`, `akka.tcp://swarm@127.0.0.1:4060/user/`, or the same without /user.</summary>
    [GeneratedRegex(@"^akka(\.\w+)?://[^/]+/(user/)?")]
    private static partial Regex ActorAddress();

    [GeneratedRegex("[0-9a-f]{40}")]
    private static partial Regex InfoHash();
}
