using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Microsoft.Extensions.Logging;
using Swarm.Node.ConsoleClient;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Hosting;

/// <summary>The console endpoint's second door (issue 14): a Unix socket in this user's own folder
/// (<see cref="LocalConsoleWire.Folder"/>) that one-shot consoles on this machine use instead of starting an Akka
/// remoting client. Every request goes to the same /user/console endpoint as over remoting, with its secret, and its
/// reply goes back as it came; so the commands have one implementation and one secret check. Only the user running
/// the node can reach the socket (its folder and the socket are the user's alone); consoles on other hosts keep
/// using remoting (with TLS where the node has it).</summary>
public sealed class LocalConsoleEndpoint : IAsyncDisposable
{
    private const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerOnlySocket = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>sun_path holds 108 bytes on Linux (104 on macOS), the terminator included.</summary>
    private const int MaximumPathBytes = 103;

    private readonly Socket _listener;
    private readonly IActorRef _endpoint;
    private readonly TimeSpan _replyBound;
    private readonly long _maximumFrame;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private LocalConsoleEndpoint(Socket listener, string path, IActorRef endpoint, TimeSpan replyBound, long maximumFrame, ILogger log)
    {
        _listener = listener;
        Path = path;
        _endpoint = endpoint;
        _replyBound = replyBound;
        _maximumFrame = maximumFrame;
        _log = log;
        _accepting = AcceptAsync();
    }

    /// <summary>Where the socket is.</summary>
    public string Path { get; }

    /// <summary>Opens the socket of the console bound to <paramref name="ip"/>:<paramref name="port"/>; null (and a
    /// warning) when the platform or the folder does not allow one: consoles then use remoting as before.</summary>
    /// <param name="replyBound">How long a request may wait for the endpoint: the remoting console's own bound.</param>
    public static LocalConsoleEndpoint? Open(string folder, IPAddress ip, int port, IActorRef endpoint, TimeSpan replyBound, long maximumFrame, ILogger log)
    {
        var path = LocalConsoleWire.SocketPath(folder, ip, port);
        if (!Socket.OSSupportsUnixDomainSockets || System.Text.Encoding.UTF8.GetByteCount(path) > MaximumPathBytes)
        {
            log.LogWarning("console: no local socket for one-shot consoles ({Path} is not possible here); they use remoting", path);
            return null;
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, OwnerOnlyFolder);
                // A folder made earlier with a looser mode is closed again: the socket must be the user's alone.
                File.SetUnixFileMode(folder, OwnerOnlyFolder);
            }

            // This node holds the console's TCP port on this address, so a socket of that name was left by a node
            // that stopped without closing it.
            File.Delete(path);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, OwnerOnlySocket);
            }

            listener.Listen();
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException)
        {
            listener.Dispose();
            log.LogWarning("console: no local socket for one-shot consoles at {Path} ({Reason}); they use remoting", path, e.Message);
            return null;
        }

        return new LocalConsoleEndpoint(listener, path, endpoint, replyBound, maximumFrame, log);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = ServeAsync(client);
        }
    }

    /// <summary>Answers the requests of one connection in turn until the console closes it.</summary>
    private async Task ServeAsync(Socket client)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            while (await LocalConsoleWire.ReadFrameAsync(stream, _maximumFrame, _stop.Token).ConfigureAwait(false) is { } frame)
            {
                byte[] answer;
                try
                {
                    var reply = await _endpoint.Ask<IConsoleReply>(LocalConsoleWire.DecodeRequest(frame), _replyBound).ConfigureAwait(false);
                    answer = LocalConsoleWire.EncodeReply(reply);
                }
                catch (LocalWireException e)
                {
                    answer = LocalConsoleWire.EncodeReply(new CommandFailed($"this node cannot read the request: {e.Message}"));
                }
                catch (AskTimeoutException)
                {
                    answer = LocalConsoleWire.EncodeUnanswered(_replyBound);
                }

                await LocalConsoleWire.WriteFrameAsync(stream, answer, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (LocalWireException e)
        {
            _log.LogWarning("console: dropped a local console connection: {Reason}", e.Message);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The console went away, or the node is stopping.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.ConfigureAwait(false);
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.LogDebug("console: could not delete {Path}: {Reason}", Path, e.Message);
        }

        _stop.Dispose();
    }
}
