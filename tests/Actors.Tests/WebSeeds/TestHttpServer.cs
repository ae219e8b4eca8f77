using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Swarm.Actors.Tests.WebSeeds;

/// <summary>A small real HTTP/1.1 server on loopback (raw sockets, one response per connection) whose answers each
/// test decides: honest Range answers from files it holds, or lies (lengths, ranges, data), 404s, redirects. Honest
/// answers follow RFC 9110: 206 with Content-Range and Content-Length for a satisfiable single range.</summary>
public sealed class TestHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private int _requests;

    public TestHttpServer()
    {
        _listener.Start();
        _ = Task.Run(AcceptLoop);
    }

    /// <summary>The answer to a request (path decoded, Range as sent); null: the honest answer; empty: none at all
    /// (the connection stays open until the server is disposed).</summary>
    public Func<Request, byte[]?> Answer { get; set; } = _ => null;

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string BaseUrl => $"http://127.0.0.1:{Port}/";

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Serves <paramref name="content"/> at <paramref name="path"/> (decoded, starting with '/').</summary>
    public void Serve(string path, byte[] content)
    {
        lock (_files)
        {
            _files[path] = content;
        }
    }

    public byte[]? File(string path)
    {
        lock (_files)
        {
            return _files.GetValueOrDefault(path);
        }
    }

    /// <summary>The honest answer: the asked range of the file, 404 when it has none.</summary>
    public byte[] Honest(Request r)
    {
        if (File(r.Path) is not { } content)
        {
            return Status(404, "Not Found");
        }

        if (r.Range is not { } range)
        {
            return Response("200 OK", [$"Content-Length: {content.Length}"], content);
        }

        var last = Math.Min(range.Last, content.Length - 1);
        if (range.First >= content.Length)
        {
            return Status(416, "Range Not Satisfiable");
        }

        var body = content[(int)range.First..((int)last + 1)];
        return Response("206 Partial Content", [$"Content-Range: bytes {range.First}-{last}/{content.Length}", $"Content-Length: {body.Length}"], body);
    }

    public static byte[] Status(int code, string reason, params string[] headers) =>
        Response($"{code} {reason}", [.. headers, "Content-Length: 0"], []);

    public static byte[] Response(string status, IEnumerable<string> headers, byte[] body)
    {
        var head = new StringBuilder($"HTTP/1.1 {status}\r\n");
        foreach (var h in headers)
        {
            head.Append(h).Append("\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(head.ToString()), .. body];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ = Task.Run(() => Serve(socket));
        }
    }

    private async Task Serve(Socket socket)
    {
        using (socket)
        {
            try
            {
                var head = await ReadHead(socket);
                if (head is null)
                {
                    return;
                }

                Interlocked.Increment(ref _requests);
                var request = Parse(head);
                var answer = Answer(request) ?? Honest(request);
                if (answer.Length == 0)
                {
                    // A stalled server: the connection stays open, nothing is sent.
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                await socket.SendAsync(answer, SocketFlags.None, _stop.Token);

                socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    private async Task<string?> ReadHead(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        var length = 0;
        while (length < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, _stop.Token);
            if (n == 0)
            {
                return null;
            }

            length += n;
            var text = Encoding.ASCII.GetString(buffer, 0, length);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                return text[..end];
            }
        }

        return null;
    }

    private static Request Parse(string head)
    {
        var lines = head.Split("\r\n");
        var target = lines[0].Split(' ')[1];
        (long, long)? range = null;
        foreach (var line in lines.Skip(1))
        {
            if (line.StartsWith("Range: bytes=", StringComparison.OrdinalIgnoreCase))
            {
                var spec = line["Range: bytes=".Length..].Split('-');
                range = (long.Parse(spec[0], CultureInfo.InvariantCulture), long.Parse(spec[1], CultureInfo.InvariantCulture));
            }
        }

        return new Request(Uri.UnescapeDataString(target), target, range);
    }

    /// <param name="Path">Decoded path.</param>
    /// <param name="RawTarget">The request target as sent (percent-encoded).</param>
    public sealed record Request(string Path, string RawTarget, (long First, long Last)? Range);
}
