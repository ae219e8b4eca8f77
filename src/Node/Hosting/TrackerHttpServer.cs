using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Swarm.Protocol.Trackers;

namespace Swarm.Node.Hosting;

/// <summary>What the tracker answers one HTTP request with: a status and a text/plain body.</summary>
public readonly record struct TrackerHttpResponse(int Status, byte[] Body);

/// <summary>The tracker's HTTP/1.x server, straight on a socket: clients open a connection per announce, so what a
/// connection costs decides the rate, and a general web server's per-connection setup is most of its work here. Each
/// connection holds one pooled buffer of <see cref="TrackerHttpRequestParser.MaxHeadLength"/>; heads are read with the
/// parser's limits, within <c>http-request-timeout</c> (a slow or oversized head is answered with its 4xx and the
/// connection closed), at most <c>http-max-connections</c> at once. Keep-alive and pipelined requests are served in
/// order on their connection.</summary>
public sealed partial class TrackerHttpServer : IAsyncDisposable
{
    /// <summary>Bytes read and dropped after a refusal before the connection is closed regardless.</summary>
    private const int DrainLimit = 64 * 1024;

    /// <summary>Room for an answer's head.</summary>
    private const int HeadRoom = 256;

    private readonly Socket _listener;
    private readonly Func<TrackerHttpRequest, IPAddress, ValueTask<TrackerHttpResponse>> _handler;
    private readonly TimeSpan _requestTimeout;
    private readonly int _maxConnections;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _accepting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connections;

    private TrackerHttpServer(Socket listener, Func<TrackerHttpRequest, IPAddress, ValueTask<TrackerHttpResponse>> handler, TimeSpan requestTimeout, int maxConnections, ILogger log)
    {
        _listener = listener;
        _handler = handler;
        _requestTimeout = requestTimeout;
        _maxConnections = maxConnections;
        _log = log;
        // A thread of its own, blocking in accept: no epoll wake-up and thread-pool hop per connection (as the UDP
        // front end blocks in recvfrom).
        new Thread(AcceptLoop) { IsBackground = true, Name = "tracker-http" }.Start();
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>Connections being served now.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <exception cref="IOException">The address cannot be listened on.</exception>
    public static TrackerHttpServer Start(IPEndPoint endpoint, Func<TrackerHttpRequest, IPAddress, ValueTask<TrackerHttpResponse>> handler, TimeSpan requestTimeout, int maxConnections, ILogger log)
    {
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endpoint);
            DeferAccept(listener);
            listener.Listen((int)SocketOptionName.MaxConnections);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"cannot listen for HTTP announces on {endpoint}: {e.Message}", e);
        }

        return new TrackerHttpServer(listener, handler, requestTimeout, maxConnections, log);
    }

    private async Task RefuseAndClose(Socket socket, byte[] buffer, int status, string message)
    {
        try
        {
            await TrySendAsync(socket, status, message).ConfigureAwait(false);
        }
        finally
        {
            Close(socket, buffer);
        }
    }

    private void Close(Socket socket, byte[] buffer)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        socket.Dispose();
        Interlocked.Decrement(ref _connections);
    }

    private static IPAddress From(Socket socket) => (socket.RemoteEndPoint as IPEndPoint)?.Address ?? IPAddress.None;

    /// <param name="filled">Bytes of <paramref name="buffer"/> already read.</param>
    /// <param name="first">The first request, already handed to the handler on the accept thread.</param>
    private async Task Serve(Socket socket, byte[] buffer, int filled, (TrackerHttpRequest Request, ValueTask<TrackerHttpResponse> Answer)? first = null)
    {
        var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        try
        {
            // Kept connections send one answer after another: none waits for an acknowledgement of the last.
            socket.NoDelay = true;
            var from = From(socket);
            while (true)
            {
                TrackerHttpRequest? request;
                ValueTask<TrackerHttpResponse> answer;
                if (first is { } given)
                {
                    (request, answer) = given;
                    first = null;
                }
                else
                {
                    timeout.CancelAfter(_requestTimeout);
                    while ((request = TrackerHttpRequestParser.TryParse(buffer.AsSpan(0, filled))) is null)
                    {
                        var read = await socket.ReceiveAsync(buffer.AsMemory(filled, TrackerHttpRequestParser.MaxHeadLength - filled), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            return; // the client closed
                        }

                        filled += read;
                    }

                    // The head's time ends here; the answer's wait is bounded by the ask timeout, its send by a fresh period.
                    if (!timeout.TryReset())
                    {
                        return;
                    }

                    answer = _handler(request, from);
                }

                var response = await answer.ConfigureAwait(false);
                var keepAlive = request.KeepAlive && !_stop.IsCancellationRequested;
                timeout.CancelAfter(_requestTimeout);
                await SendAsync(socket, response.Status, response.Body, keepAlive, timeout.Token).ConfigureAwait(false);
                if (!keepAlive)
                {
                    return;
                }

                filled -= request.HeadLength;
                buffer.AsSpan(request.HeadLength, filled).CopyTo(buffer);
                if (!timeout.TryReset())
                {
                    return;
                }
            }
        }
        catch (TrackerHttpException e)
        {
            await TrySendAsync(socket, e.Status, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested && filled > 0)
        {
            // A head begun and not finished in time (a client sending a byte now and then): cut off, told why.
            await TrySendAsync(socket, 408, $"request head not received within {_requestTimeout.TotalSeconds:0} s").ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // an idle kept-alive connection timed out, the client went away, or the tracker is stopping
        }
        catch (Exception e)
        {
            _log.LogError(e, "tracker http: request failed");
            await TrySendAsync(socket, 500, "internal error").ConfigureAwait(false);
        }
        finally
        {
            timeout.Dispose();
            Close(socket, buffer);
        }
    }

    /// <summary>Sends a refusal, then reads (and drops) what the client still sends until it closes, at most
    /// <see cref="DrainLimit"/> bytes within the request timeout: closing with unread bytes would reset the connection,
    /// and the client could lose the answer telling it why.</summary>
    private async Task TrySendAsync(Socket socket, int status, string message)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_requestTimeout);
            await SendAsync(socket, status, System.Text.Encoding.UTF8.GetBytes(message), keepAlive: false, timeout.Token).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Send);
            var drop = ArrayPool<byte>.Shared.Rent(TrackerHttpRequestParser.MaxHeadLength);
            try
            {
                var dropped = 0;
                int read;
                while (dropped < DrainLimit && (read = await socket.ReceiveAsync(drop, SocketFlags.None, timeout.Token).ConfigureAwait(false)) > 0)
                {
                    dropped += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(drop);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the client is gone: nobody to tell
        }
    }

    /// <summary>Head and body in one send, from a pooled buffer.</summary>
    private static async ValueTask SendAsync(Socket socket, int status, byte[] body, bool keepAlive, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(HeadRoom + body.Length);
        try
        {
            var length = Format(buffer, status, body, keepAlive);
            await socket.SendAsync(buffer.AsMemory(0, length), SocketFlags.None, ct).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the answer's head and body into <paramref name="buffer"/> (at least <see cref="HeadRoom"/> more
    /// than the body); returns their length.</summary>
    private static int Format(byte[] buffer, int status, byte[] body, bool keepAlive)
    {
        var allow = status == 405 ? "Allow: GET\r\n" : string.Empty;
        var connection = keepAlive ? string.Empty : "Connection: close\r\n";
        Utf8.TryWrite(buffer, $"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n{allow}{connection}\r\n", out var head);
        body.CopyTo(buffer, head);
        return head + body.Length;
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        414 => "URI Too Long",
        431 => "Request Header Fields Too Large",
        501 => "Not Implemented",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        await _accepting.Task.ConfigureAwait(false);
        _stop.Dispose();
    }
}
