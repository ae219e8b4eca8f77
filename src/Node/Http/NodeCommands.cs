using Akka.Actor;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Http;

/// <summary>The HTTP surface's way into the node: the console's own command layer, through an endpoint actor of the
/// node's system that only this process can address (nothing is exposed to the network for it). Requests carry the
/// node's own console secret, so the endpoint's one rule holds for them as for a console.</summary>
public sealed class NodeCommands(IActorRef endpoint, string secret, TimeSpan timeout)
{
    public async Task<IConsoleReply> Send(IConsoleCommand command, CancellationToken ct = default)
    {
        try
        {
            return await endpoint.Ask<IConsoleReply>(new ConsoleRequest(secret, command), timeout, ct).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return new CommandFailed($"the node did not answer within {timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>Sends a command whose answer must be <typeparamref name="T"/>; anything else becomes an
    /// <see cref="RpcException"/> carrying the node's reason.</summary>
    public async Task<T> Expect<T>(IConsoleCommand command, CancellationToken ct = default)
        where T : IConsoleReply => await Send(command, ct).ConfigureAwait(false) switch
        {
            T t => t,
            CommandFailed f => throw new RpcException(f.Message),
            Refused r => throw new RpcException(r.Reason),
            var other => throw new RpcException($"unexpected answer from the node: {other.GetType().Name}"),
        };
}

/// <summary>A request that cannot be done; its message is the RPC answer's "result".</summary>
public sealed class RpcException(string message) : Exception(message);
