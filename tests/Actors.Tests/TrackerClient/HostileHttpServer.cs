using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Swarm.Actors.Tests.TrackerClient;

/// <summary>An HTTP server on loopback whose answers a test writes by hand (huge bodies, redirects), one connection
/// at a time; it records each request line, where it came from, and how many body bytes it managed to send.</summary>
internal sealed class HostileHttpServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<HostileHttpServer, string, Stream, Task> _answer;
    private readonly Lock _gate = new();
    private readonly List<(string RequestLine, IPAddress From)> _requests = [];
    private long _sent;

    /// <param name="answer">Writes the whole response for a request line; the connection is closed after it.</param>
    public HostileHttpServer(Func<HostileHttpServer, string, Stream, Task> answer)
    {
        _answer = answer;
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/announce";
        _ = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public IReadOnlyList<(string RequestLine, IPAddress From)> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Body bytes written before the client went away.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Writes <paramref name="total"/> zero bytes in 64 KiB chunks, lazily: never held in memory.</summary>
    public async Task StreamZerosAsync(Stream stream, long total)
    {
        var chunk = new byte[64 * 1024];
        for (long written = 0; written < total; written += chunk.Length)
        {
            await stream.WriteAsync(chunk, _stop.Token);
            Interlocked.Add(ref _sent, chunk.Length);
        }
    }

    public static Task WriteHeadAsync(Stream stream, string head) => stream.WriteAsync(Encoding.ASCII.GetBytes(head + "\r\n\r\n")).AsTask();

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var head = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var n = await stream.ReadAsync(buffer, _stop.Token);
                        if (n == 0)
                        {
                            break;
                        }

                        head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }

                    var line = head.ToString().Split("\r\n")[0];
                    lock (_gate)
                    {
                        _requests.Add((line, ((IPEndPoint)client.Client.RemoteEndPoint!).Address));
                    }

                    await _answer(this, line, stream);
                }
                catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    // The client hung up (as it must on a body past its cap), or the server stopped.
                }
            }
        }
    }
}
