using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>What a console needs of its way to a node: send one command, get its reply. Two wires carry it: Akka
/// remoting (<see cref="ConsoleConnection"/>: any host, TLS) and the node's local socket (<see cref="LocalConsoleLink"/>:
/// same machine and user, no actor system in the console).</summary>
internal interface IConsoleLink : IAsyncDisposable
{
    /// <summary>HOST:PORT of the node's console, as the user named it.</summary>
    string Target { get; }

    Task<IConsoleReply> SendAsync(IConsoleCommand command);
}
