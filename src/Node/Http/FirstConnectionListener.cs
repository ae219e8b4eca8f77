using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Logging;

namespace Swarm.Node.Http;

/// <summary>Footprint (issue 14): Kestrel's transport over a socket the node bound and listened on itself, so that
/// Kestrel is built only once someone connects (<see cref="NodeHttpHost"/>). The connection that woke it is handed to
/// Kestrel first; later ones are accepted from the same socket. It serves that one socket whatever endpoint Kestrel
/// asks for.</summary>
internal sealed class FirstConnectionListener : IConnectionListenerFactory, IConnectionListener
{
    private readonly Socket _listener;
    private readonly SocketConnectionContextFactory _contexts;
    private Socket? _first;

    public FirstConnectionListener(Socket listener, Socket first, ILogger log)
    {
        _listener = listener;
        _first = first;
        _contexts = new SocketConnectionContextFactory(new SocketConnectionFactoryOptions(), log);
    }

    public EndPoint EndPoint => _listener.LocalEndPoint!;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) => ValueTask.FromResult<IConnectionListener>(this);

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        var socket = Interlocked.Exchange(ref _first, null);
        while (socket is null)
        {
            try
            {
                socket = await _listener.AcceptAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException || e is SocketException { SocketErrorCode: SocketError.OperationAborted or SocketError.Interrupted })
            {
                // Unbound: Kestrel takes null for "no more connections".
                return null;
            }
            catch (SocketException)
            {
                // One connection reset before it was accepted: the next one is served (Kestrel's own transport does the same).
            }
        }

        // Kestrel's own transport turns Nagle off for its connections: small RPC answers go out at once.
        socket.NoDelay = true;
        return _contexts.Create(socket);
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        Interlocked.Exchange(ref _first, null)?.Dispose();
        _contexts.Dispose();
        return ValueTask.CompletedTask;
    }
}
