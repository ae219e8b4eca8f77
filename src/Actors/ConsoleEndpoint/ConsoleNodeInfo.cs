using Akka.Actor;

namespace Swarm.Actors.ConsoleEndpoint;

/// <summary>What the console reports about the node that hosts it, and how it stops the node.</summary>
/// <param name="NodeSystem">The node's actor system (log level); the endpoint itself runs in its own system.</param>
public sealed record ConsoleNodeInfo(
    string NodeId,
    string PeerEndPoint,
    string DataDir,
    string Journal,
    string DefaultSavePath,
    DateTime StartedAt,
    ActorSystem NodeSystem,
    Action RequestShutdown)
{
    /// <summary>The node's clock (its <see cref="NodeContext.Clock"/>): uptime is read from it.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>The host:port a remote console's connection really comes from, by the address it declared in its
    /// handshake (which a console can choose); null when unknown, e.g. for a sender in the same process.</summary>
    public Func<Address, string?> ConnectionSourceOf { get; init; } = _ => null;
}
