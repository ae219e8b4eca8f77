using System.Buffers;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Swarm.Protocol.Trackers;

namespace Swarm.Node.Hosting;

/// <summary>The accept path: one thread blocking in accept, a connection's first request answered on it when it is in
/// the socket already, everything else handed to the async <see cref="Serve"/>.</summary>
public sealed partial class TrackerHttpServer
{
    // Linux's TCP_DEFER_ACCEPT (level IPPROTO_TCP) and the seconds a connection that sent nothing waits in the kernel
    // before it is accepted anyway.
    private const int IpProtoTcp = 6;
    private const int TcpDeferAccept = 9;
    private const int DeferAcceptSeconds = 1;

    /// <summary>A connection is handed to accept once its request has arrived: the accept thread then finds it in the
    /// socket and answers it at once, instead of handing a connection still silent to the async path (an epoll
    /// registration, a wake-up and a pool thread per announce).
    /// What it means for an operator: a connection that sends nothing stays in the kernel as a pending request (no
    /// socket, buffer or thread here) until the kernel's first SYN-ACK retransmission, about 1 s
    /// (<see cref="DeferAcceptSeconds"/>), and is then accepted when the client acknowledges it, counted against
    /// <c>http-max-connections</c> and given <c>http-request-timeout</c> to send its head. That is wanted: a flood of
    /// silent connections (slowloris) costs this process nothing during the deferral, and what it costs afterwards is
    /// bounded exactly as before (the connection bound, then a silent close after the request timeout); the kernel
    /// bounds the deferred ones by the listen backlog (and answers past it with SYN cookies when they are on). What an
    /// operator sees differently: such a connection is absent from the count for that second, and is closed about a
    /// second later than the request timeout alone says. Not set elsewhere (no such option): connections are accepted
    /// at once and the async path reads them.</summary>
    private static void DeferAccept(Socket listener)
    {
        if (OperatingSystem.IsLinux())
        {
            listener.SetRawSocketOption(IpProtoTcp, TcpDeferAccept, BitConverter.GetBytes(DeferAcceptSeconds));
        }
    }

    private void AcceptLoop()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = _listener.Accept();
                }
                catch (SocketException e) when (!_stop.IsCancellationRequested)
                {
                    _log.LogDebug("tracker http: accept failed: {Error}", e.Message);
                    continue;
                }

                if (Interlocked.Increment(ref _connections) > _maxConnections)
                {
                    Interlocked.Decrement(ref _connections);
                    client.Dispose();
                    continue;
                }

                ServeReady(client);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // the listener closed: the server is stopping
        }
        finally
        {
            _accepting.TrySetResult();
        }
    }

    /// <summary>Serves a new connection's first request on the accept thread when it is in the socket already, is
    /// answered at once (the swarm ran on this thread) and closes the connection: one receive, one send, no wait, no
    /// timer. Anything else (a head still coming, a refusal, an answer owed, a kept connection, a send the socket could
    /// not take whole) goes on in <see cref="Serve"/> with what was read, under its timeouts.</summary>
    private void ServeReady(Socket socket)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(TrackerHttpRequestParser.MaxHeadLength);
        var filled = 0;
        TrackerHttpRequest? request;
        try
        {
            socket.Blocking = false; // the calls below return rather than wait
            filled = socket.Receive(buffer, 0, TrackerHttpRequestParser.MaxHeadLength, SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                filled = 0;
            }
            else if (error != SocketError.Success || filled == 0)
            {
                Close(socket, buffer);
                return; // the client closed or reset
            }

            request = filled == 0 ? null : TrackerHttpRequestParser.TryParse(buffer.AsSpan(0, filled));
        }
        catch (TrackerHttpException)
        {
            // Refused: Serve parses it again and answers why.
            _ = Serve(socket, buffer, filled);
            return;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Close(socket, buffer);
            return;
        }

        if (request is null)
        {
            _ = Serve(socket, buffer, filled);
            return;
        }

        ValueTask<TrackerHttpResponse> answer;
        try
        {
            answer = _handler(request, From(socket));
        }
        catch (Exception e)
        {
            _log.LogError(e, "tracker http: request failed");
            _ = RefuseAndClose(socket, buffer, 500, "internal error");
            return;
        }

        if (request.KeepAlive || !answer.IsCompletedSuccessfully)
        {
            _ = Serve(socket, buffer, filled, (request, answer));
            return;
        }

        var response = answer.Result;
        var wire = ArrayPool<byte>.Shared.Rent(HeadRoom + response.Body.Length);
        var length = Format(wire, response.Status, response.Body, keepAlive: false);
        var sent = 0;
        try
        {
            sent = socket.Send(wire, 0, length, SocketFlags.None, out var error);
            sent = error is SocketError.Success or SocketError.WouldBlock ? sent : length; // a failed send: nobody to answer
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            sent = length;
        }

        if (sent < length)
        {
            _ = SendRestAndClose(socket, buffer, wire, sent, length);
            return;
        }

        ArrayPool<byte>.Shared.Return(wire);
        Close(socket, buffer);
    }

    private async Task SendRestAndClose(Socket socket, byte[] buffer, byte[] wire, int sent, int length)
    {
        try
        {
            using var timeout = new CancellationTokenSource(_requestTimeout);
            await socket.SendAsync(wire.AsMemory(sent, length - sent), SocketFlags.None, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // the client does not read its answer, or went away
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(wire);
            Close(socket, buffer);
        }
    }
}
