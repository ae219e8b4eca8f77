using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Swarm.Actors.Tests.TrackerClient;

/// <summary>A minimal HTTP tracker on loopback: answers every announce with the given compact peers (by default one,
/// <see cref="Peer"/>) and interval, closes the connection, and hands each request line to the test.</summary>
internal sealed class FakeHttpTracker : IDisposable
{
    public static readonly IPEndPoint Peer = new(IPAddress.Parse("10.1.2.3"), 6881);
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly System.Threading.Channels.Channel<Received> _requests = System.Threading.Channels.Channel.CreateUnbounded<Received>();
    private readonly TimeSpan _interval;
    private readonly IReadOnlyList<IPEndPoint> _peers;

    public FakeHttpTracker(TimeSpan interval, IReadOnlyList<IPEndPoint>? peers = null)
    {
        _interval = interval;
        _peers = peers ?? [Peer];
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/announce";
        _ = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public async Task<Received> NextRequestAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _requests.Reader.ReadAsync(cts.Token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
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

                _requests.Writer.TryWrite(new Received(head.ToString().Split("\r\n")[0]));
                var peers = _peers.SelectMany(p => p.Address.GetAddressBytes().Concat(new[] { (byte)(p.Port >> 8), (byte)p.Port })).ToArray();
                var body = Encoding.ASCII.GetBytes($"d8:intervali{(int)_interval.TotalSeconds}e5:peers{peers.Length}:").Concat(peers).Concat("e"u8.ToArray()).ToArray();
                var response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(response.Concat(body).ToArray(), _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // stopped
        }
    }

    public sealed record Received(string RequestLine)
    {
        /// <summary>The announce's left= parameter.</summary>
        public long Left => long.Parse(System.Web.HttpUtility.ParseQueryString(RequestLine.Split(' ')[1].Split('?', 2)[1])["left"]!, System.Globalization.CultureInfo.InvariantCulture);
    }
}
