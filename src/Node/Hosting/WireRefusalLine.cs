using System.Runtime.Serialization;
using Akka.Event;
using Swarm.Actors.Serialization;

namespace Swarm.Node.Hosting;

/// <summary>The one line for a message dropped because our wire serializer refused its type. Akka remoting reports it
/// as "Deserialization failed … (association remains live)" followed by a hint to file an issue with Akka; this line
/// names the type, the remote system as it declared itself, and that the connection stays up.</summary>
public static class WireRefusalLine
{
    private const string ReaderMarker = "endpointReader-";

    /// <summary>The line for a refusal event; null for any other event.</summary>
    public static string? Of(LogEvent e)
    {
        if (e.Cause is not SerializationException { Message: { } refusal } || !refusal.StartsWith(WireSerializer.RefusalPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        return $"{refusal} (from {RemoteOf(e.LogSource)}; the connection stays up)";
    }

    /// <summary>The remote address Akka names its endpoint reader after (<c>…/endpointReader-akka.tcp%3A%2F%2Fx%40h%3Ap-1</c>).</summary>
    private static string RemoteOf(string? logSource)
    {
        var at = logSource?.LastIndexOf(ReaderMarker, StringComparison.Ordinal) ?? -1;
        if (at < 0)
        {
            return "a remote system";
        }

        var name = logSource![(at + ReaderMarker.Length)..];
        var dash = name.LastIndexOf('-');
        return Uri.UnescapeDataString(dash > 0 ? name[..dash] : name);
    }
}
