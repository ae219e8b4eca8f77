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

    private readonly Stream _stream;
    private readonly string _secret;
    private readonly CancellationToken _stop;
    private readonly CancellationTokenRegistration _onStop;

    /// <param name="shutDown">Ends both directions of the connection: a blocked receive reads the end of the stream.</param>
    private LocalConsoleLink(Stream stream, Action shutDown, string secret, string target, CancellationToken stop)
    {
        _stream = stream;
        _secret = secret;
        _stop = stop;
        Target = target;
        _onStop = stop.Register(static s => ((Action)s!)(), shutDown);
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

        // Only a loopback target means "the node on this machine". Any other address is how an operator names a node
        // over the network, where its TLS and certificate rules must decide, even when the socket folder happens to
        // be shared (network namespaces, containers with a common home).
        if (LocalConsoleWire.Loopback(host.Trim('[', ']')) is not { } ip)
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

            // A Unix socket connects at once or not at all: there is no handshake to wait for. Null: left behind by a
            // node that did not stop cleanly, nothing listens on it.
            if (OperatingSystem.IsLinux())
            {
                if (UnixSocketStream.Connect(path, Silence) is { } stream)
                {
                    return new LocalConsoleLink(stream, stream.Shutdown, secret, $"{ip}:{port}", stop);
                }
            }
            else if (ConnectSocket(path, secret, $"{ip}:{port}", stop) is { } link)
            {
                return link;
            }
        }

        return null;
    }

    /// <summary>Through System.Net.Sockets, where <see cref="UnixSocketStream"/> does not apply.</summary>
    private static LocalConsoleLink? ConnectSocket(string path, string secret, string target, CancellationToken stop)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }

        socket.SendTimeout = socket.ReceiveTimeout = (int)Silence.TotalMilliseconds;
        return new LocalConsoleLink(new NetworkStream(socket, ownsSocket: true), () => ShutDown(socket), secret, target, stop);
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
        catch (IOException e) when (e.InnerException is TimeoutException || TimedOut(e.InnerException))
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
        // No stop callback runs after this: the stream's descriptor is not shut down once it may be reused.
        _onStop.Dispose();
        _stream.Dispose();
    }

    private static bool TimedOut(Exception? e) => e is SocketException { SocketErrorCode: SocketError.TimedOut };

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
