using System.Collections.Concurrent;
using Akka.Actor;

namespace Swarm.Node.Hosting;

/// <summary>The consoles connected to this node's console system: for each address a console declared in its
/// handshake, the host:port its connection really comes from (recorded by <see cref="ConsoleTransport"/>, dropped when
/// the connection closes).</summary>
public sealed class ConsoleConnections : IExtension
{
    private readonly ConcurrentDictionary<Address, string> _sources = new();

    public static ConsoleConnections Of(ActorSystem system) => system.WithExtension<ConsoleConnections, ConsoleConnectionsId>();

    /// <summary>Where the connection of the system that declared <paramref name="declared"/> comes from; null when no
    /// console connection declared it (a local sender, or a transport other than <see cref="ConsoleTransport"/>).</summary>
    public string? SourceOf(Address declared) => _sources.TryGetValue(declared, out var source) ? source : null;

    internal void Record(Address declared, string source) => _sources[declared] = source;

    internal void Forget(Address declared, string source) => _sources.TryRemove(KeyValuePair.Create(declared, source));
}

/// <summary>Akka's handle on the <see cref="ConsoleConnections"/> extension (one per actor system).</summary>
public sealed class ConsoleConnectionsId : ExtensionIdProvider<ConsoleConnections>
{
    public override ConsoleConnections CreateExtension(ExtendedActorSystem system) => new();
}
