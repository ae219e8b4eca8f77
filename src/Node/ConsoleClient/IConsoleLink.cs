using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>What the shell and `watch` need of their way to a node: send one command, get its reply, as often as they
/// like. Akka remoting carries it (<see cref="ConsoleConnection"/>: any host, TLS); a one-shot command on the node's
/// machine takes the node's local socket instead (<see cref="LocalConsoleLink"/>, blocking: it has nothing else to do).</summary>
internal interface IConsoleLink : IAsyncDisposable
{
    /// <summary>HOST:PORT of the node's console, as the user named it.</summary>
    string Target { get; }

    Task<IConsoleReply> SendAsync(IConsoleCommand command);
}
