using System.Net;
using System.Net.Sockets;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.ConsoleClient;

/// <summary>A one-shot console's link to a node on this machine through the node's local socket
/// (<see cref="LocalConsoleWire"/>): a connect and one frame each way, no actor system, so the command costs the
/// console a process start and little more. The node's endpoint answers it exactly as it answers the Akka wire.</summary>
internal sealed class LocalConsoleLink : IConsoleLink
{
    /// <summary>The node bounds its own answer (swarm.console.command-timeout + connect-timeout) and says so when it
    /// runs out; this only ends a wait on a node process that accepted the connection but can no longer run anything.</summary>
    private static readonly TimeSpan Silence = TimeSpan.FromMinutes(2);

    /// <summary>A reply holds at most a listing of every torrent; a bound only against a damaged frame.</summary>
    private const long MaximumReply = 1L << 30;

    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly string _secret;

    private LocalConsoleLink(Socket socket, string secret, string target)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _secret = secret;
        Target = target;
    }

    public string Target { get; }

    /// <summary>A link to the node at <paramref name="target"/> (a loopback IP literal or localhost, with a port) when a
    /// node of this user listens there and has its local socket open; null otherwise (then the Akka wire is the way).</summary>
    public static async Task<LocalConsoleLink?> TryConnectAsync(string target, string secret, string? folder = null)
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
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path)).ConfigureAwait(false);
                return new LocalConsoleLink(socket, secret, $"{ip}:{port}");
            }
            catch (SocketException)
            {
                // Left behind by a node that did not stop cleanly: nothing listens on it.
                socket.Dispose();
            }
        }

        return null;
    }

    public async Task<IConsoleReply> SendAsync(IConsoleCommand command)
    {
        using var silence = new CancellationTokenSource(Silence);
        byte[]? frame;
        try
        {
            await LocalConsoleWire.WriteFrameAsync(_stream, LocalConsoleWire.EncodeRequest(new ConsoleRequest(_secret, command)), silence.Token).ConfigureAwait(false);
            frame = await LocalConsoleWire.ReadFrameAsync(_stream, MaximumReply, silence.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
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

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
