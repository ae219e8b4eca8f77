using System.Net;
using System.Net.Sockets;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>A one-shot console's link to a node on this machine through the node's local socket
/// (<see cref="LocalConsoleWire"/>): a connect and one frame each way, no actor system, so the command costs the
/// console a process start and little more. The node's endpoint answers it exactly as it answers the Akka wire.
/// Blocking on purpose (issue 14): the process has nothing else to do while the node answers, and blocking calls spare
/// it the thread pool, the socket engine's thread and the async machinery (JIT-compiled at each start, ReadyToRun or
/// not), about a quarter of a one-shot command's CPU. A stop request (Ctrl-C) ends the wait at once.</summary>
internal sealed class LocalConsoleLink : IDisposable
{
    /// <summary>The node bounds its own answer (swarm.console.command-timeout + connect-timeout) and says so when it
    /// runs out; this only ends a wait on a node process that accepted the connection but can no longer run anything.</summary>
    private static readonly TimeSpan Silence = TimeSpan.FromMinutes(2);

    /// <summary>A reply holds at most a listing of every torrent; a bound only against a damaged frame.</summary>
    private const long MaximumReply = 1L << 30;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly string _secret;
    private readonly CancellationToken _stop;
    private readonly CancellationTokenRegistration _onStop;

    private LocalConsoleLink(Socket socket, string secret, string target, CancellationToken stop)
    {
        _socket = socket;
        _socket.SendTimeout = _socket.ReceiveTimeout = (int)Silence.TotalMilliseconds;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _secret = secret;
        _stop = stop;
        Target = target;
        // Shutting the socket down wakes the blocked receive (it reads the end of the stream).
        _onStop = stop.Register(static s => ShutDown((Socket)s!), socket);
    }

    /// <summary>HOST:PORT of the node's console, as the user named it.</summary>
    public string Target { get; }

    /// <summary>A link to the node at <paramref name="target"/> (a loopback IP literal or localhost, with a port) when a
    /// node of this user listens there and has its local socket open; null otherwise (then the Akka wire is the way).</summary>
    /// <param name="stop">Ends a wait for the node's answer with <see cref="OperationCanceledException"/>.</param>
    public static LocalConsoleLink? TryConnect(string target, string secret, CancellationToken stop, string? folder = null)
    {
        if (!Hosting.HostPort.TryParse(target, out var host, out var port))
        {
            return null;
        }

        host = host.Trim('[', ']');
        var ip = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
        // Only a loopback target means "the node on this machine". Any other address is how an operator names a node
        // over the network, where its TLS and certificate rules must decide, even when the socket folder happens to
        // be shared (network namespaces, containers with a common home).
        if (ip is null || !IPAddress.IsLoopback(ip))
        {
            return null;
        }

        folder ??= LocalConsoleWire.Folder();
        foreach (var path in LocalConsoleWire.Candidates(folder, ip, port))
        {
            if (!File.Exists(path))
            {
                continue;
            }

            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                // A Unix socket connects at once or not at all: there is no handshake to wait for.
                socket.Connect(new UnixDomainSocketEndPoint(path));
                return new LocalConsoleLink(socket, secret, $"{ip}:{port}", stop);
            }
            catch (SocketException)
            {
                // Left behind by a node that did not stop cleanly: nothing listens on it.
                socket.Dispose();
            }
        }

        return null;
    }

    /// <summary>Sends <paramref name="command"/> and waits for the node's reply.</summary>
    /// <exception cref="NodeUnreachableException">No reply: the node went away, answered nonsense or fell silent.</exception>
    /// <exception cref="OperationCanceledException">Stopped (Ctrl-C) while waiting.</exception>
    public IConsoleReply Send(IConsoleCommand command)
    {
        byte[]? frame;
        try
        {
            LocalConsoleWire.WriteFrame(_stream, LocalConsoleWire.EncodeRequest(new ConsoleRequest(_secret, command)));
            frame = LocalConsoleWire.ReadFrame(_stream, MaximumReply);
        }
        catch (Exception e) when (_stop.IsCancellationRequested && e is IOException or ObjectDisposedException or LocalWireException)
        {
            throw new OperationCanceledException(_stop);
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut })
        {
            throw new NodeUnreachableException($"the node at {Target} did not answer within {Silence.TotalSeconds:0} s");
        }
        catch (IOException e)
        {
            throw new NodeUnreachableException($"the node at {Target} closed the console connection: {e.Message}");
        }
        catch (LocalWireException e)
        {
            throw new NodeUnreachableException($"the node at {Target} sent an unreadable answer: {e.Message}");
        }

        if (frame is null)
        {
            _stop.ThrowIfCancellationRequested();
            throw new NodeUnreachableException($"the node at {Target} closed the console connection without an answer");
        }

        try
        {
            var (reply, unanswered) = LocalConsoleWire.DecodeReply(frame);
            return reply ?? throw new NodeUnreachableException($"the node at {Target} did not answer within {unanswered:0} s");
        }
        catch (LocalWireException e)
        {
            throw new NodeUnreachableException($"the node at {Target} sent an unreadable answer: {e.Message}");
        }
    }

    public void Dispose()
    {
        _onStop.Dispose();
        _stream.Dispose();
        _socket.Dispose();
    }

    private static void ShutDown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing waits on it.
        }
    }
}
