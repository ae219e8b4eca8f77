using Akka.Event;

namespace Swarm.Node.Hosting;

/// <summary>Logger of the console's actor system. A console is a short-lived client: every time one exits, classic
/// remoting reports the closed association as a warning and an error. Those are routine here and go to Debug; every
/// other event is written like the node's own (<see cref="AkkaLogBridge"/>).</summary>
public sealed class ConsoleSystemLogger : AkkaLogBridge
{
    protected override bool IsRoutine(LogEvent e) =>
        e.LogSource.Contains("/system/endpointManager/", StringComparison.Ordinal)
        && (e.Cause?.GetType().Name == "EndpointDisassociatedException"
            || e.Message?.ToString()?.Contains("address is now gated", StringComparison.Ordinal) == true
            || e.Message?.ToString()?.StartsWith("Disassociated", StringComparison.Ordinal) == true);
}
