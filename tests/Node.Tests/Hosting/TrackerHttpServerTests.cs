using System.Net;
using System.Net.Sockets;
using System.Text;
using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Actors.Configuration;
using Swarm.Node.Hosting;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Node.Tests.Hosting;

/// <summary>The tracker's own HTTP server over loopback: requests answered in order on a kept connection, hostile heads
/// (too large, too slow) cut off with their status, the connection bound held; and the tracker behind it.</summary>
public sealed class TrackerHttpServerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static TrackerHttpServer Echo(TimeSpan requestTimeout, int maxConnections = 16) =>
        TrackerHttpServer.Start(
            new IPEndPoint(IPAddress.Loopback, 0),
            (request, from) => ValueTask.FromResult(new TrackerHttpResponse(200, Encoding.ASCII.GetBytes($"{request.Method} {request.Target} from {from}"))),
            requestTimeout,
            maxConnections,
            NullLogger.Instance);

    private static async Task<Socket> ConnectAsync(TrackerHttpServer server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(server.LocalEndPoint);
        return socket;
    }

    /// <summary>Everything the server sends until it closes the connection.</summary>
    private static async Task<string> ReadToCloseAsync(Socket socket)
    {
        using var cancel = new CancellationTokenSource(Bound);
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    [Fact]
    public async Task Pipelined_requests_on_a_kept_connection_are_answered_in_order_and_close_ends_it()
    {
        await using var server = Echo(TimeSpan.FromSeconds(30));
        using var client = await ConnectAsync(server);
        await client.SendAsync(Encoding.ASCII.GetBytes("GET /announce?a=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /scrape?b=2 HTTP/1.1\r\nConnection: close\r\n\r\n"));
        var answers = await ReadToCloseAsync(client);
        var first = answers.IndexOf("GET /announce?a=1 from 127.0.0.1", StringComparison.Ordinal);
        var second = answers.IndexOf("GET /scrape?b=2 from 127.0.0.1", StringComparison.Ordinal);
        Assert.True(first > 0 && second > first, answers);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answers);
        Assert.Contains("Content-Length: 32\r\n", answers);
        Assert.EndsWith("Connection: close\r\n\r\nGET /scrape?b=2 from 127.0.0.1", answers);
    }

    [Fact]
    public async Task A_head_larger_than_the_limit_is_refused_with_431_and_the_connection_closed()
    {
        await using var server = Echo(TimeSpan.FromSeconds(30));
        using var client = await ConnectAsync(server);
        var head = "GET /announce HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X-Pad: " + new string('p', 200) + "\r\n", 100));
        try
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(head));
        }
        catch (SocketException)
        {
            // the server may close while the rest is still being sent; what it answered is read below
        }

        var answer = await ReadToCloseAsync(client);
        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", answer);
        Assert.Contains($"request head longer than {TrackerHttpRequestParser.MaxHeadLength} bytes", answer);
    }

    [Fact]
    public async Task A_head_sent_too_slowly_is_cut_off_with_408_and_the_connection_freed()
    {
        await using var server = Echo(TimeSpan.FromSeconds(1));
        using var client = await ConnectAsync(server);
        await client.SendAsync(Encoding.ASCII.GetBytes("GET /announce HTTP/1.1\r\nHost: "));
        var answer = await ReadToCloseAsync(client);
        Assert.StartsWith("HTTP/1.1 408 Request Timeout\r\n", answer);
        Assert.Contains("request head not received within 1 s", answer);
        await WaitUntil(() => server.Connections == 0);
    }

    [Fact]
    public async Task A_connection_that_sends_nothing_is_closed_without_an_answer_after_the_request_timeout_and_its_slot_freed()
    {
        // On Linux it waits in the kernel first (TCP_DEFER_ACCEPT) and is accepted a second later: either way it holds
        // a slot at most for the request timeout once accepted, and nothing is written to a client that asked nothing.
        await using var server = Echo(TimeSpan.FromSeconds(1));
        using var silent = await ConnectAsync(server);
        Assert.Equal(string.Empty, await ReadToCloseAsync(silent));
        await WaitUntil(() => server.Connections == 0);
    }

    [Fact]
    public async Task Past_the_connection_bound_a_new_connection_is_closed_at_once_and_served_again_once_one_ends()
    {
        await using var server = Echo(TimeSpan.FromSeconds(30), maxConnections: 1);
        using (var held = await ConnectAsync(server))
        {
            await WaitUntil(() => server.Connections == 1);
            using var refused = await ConnectAsync(server);
            Assert.Equal(string.Empty, await ReadToCloseAsync(refused));
        }

        await WaitUntil(() => server.Connections == 0);
        using var client = await ConnectAsync(server);
        await client.SendAsync(Encoding.ASCII.GetBytes("GET /x HTTP/1.0\r\n\r\n"));
        Assert.EndsWith("GET /x from 127.0.0.1", await ReadToCloseAsync(client));
    }

    [Fact]
    public async Task A_head_split_over_two_sends_is_answered_and_a_refused_one_told_why()
    {
        // The accept thread finds only the first part in the socket: the async loop goes on from the bytes it read.
        await using var server = Echo(TimeSpan.FromSeconds(30));
        using (var split = await ConnectAsync(server))
        {
            await split.SendAsync(Encoding.ASCII.GetBytes("GET /announce?a=1 HT"));
            await WaitUntil(() => server.Connections == 1);
            await split.SendAsync(Encoding.ASCII.GetBytes("TP/1.0\r\n\r\n"));
            Assert.EndsWith("\r\n\r\nGET /announce?a=1 from 127.0.0.1", await ReadToCloseAsync(split));
        }

        // Refused in one piece, on the accept thread's first read; the server drains until the client closes.
        using (var refused = await ConnectAsync(server))
        {
            await refused.SendAsync(Encoding.ASCII.GetBytes("GET /announce HTTP/2.0\r\n\r\n"));
            Assert.StartsWith("HTTP/1.1 505 HTTP Version Not Supported\r\n", await ReadToCloseAsync(refused));
        }

        await WaitUntil(() => server.Connections == 0);
    }

    [Fact]
    public async Task The_tracker_answers_announces_scrapes_and_refuses_other_paths_and_methods()
    {
        var config = SwarmConfiguration.Load(null, new Dictionary<string, string>());
        var settings = SwarmSettings.From(config).TrackerServer;
        var system = ActorSystem.Create("tracker-http-test");
        try
        {
            await using var tracker = await TrackerHost.StartAsync(system, settings, 0, -1, NullLoggerFactory.Instance);
            using var http = new HttpClient { Timeout = Bound };
            var hash = new InfoHash(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray());
            AnnounceRequest Peer(int port, long left) => new(hash, Encoding.ASCII.GetBytes($"-TEST00-{port:D12}"), port, 0, 0, left, AnnounceEvent.Started);

            // The first creates the swarm through the registry, the second goes to the swarm straight.
            var first = HttpTrackerCodec.ParseAnnounce(await http.GetByteArrayAsync(HttpTrackerCodec.BuildAnnounceUri(tracker.HttpAnnounceUrl!, Peer(7001, 0))));
            Assert.Empty(first.Peers);
            var second = HttpTrackerCodec.ParseAnnounce(await http.GetByteArrayAsync(HttpTrackerCodec.BuildAnnounceUri(tracker.HttpAnnounceUrl!, Peer(7002, 10))));
            Assert.Equal([IPEndPoint.Parse("127.0.0.1:7001")], second.Peers);
            Assert.Equal((1, 1), (second.Seeders, second.Leechers));

            var scrape = HttpTrackerCodec.ParseScrape(await http.GetByteArrayAsync(HttpTrackerCodec.BuildScrapeUri(tracker.HttpAnnounceUrl!, [hash])));
            Assert.Equal((1, 1), (scrape.Single().Seeders, scrape.Single().Leechers));
            var refused = await http.GetStringAsync(tracker.HttpAnnounceUrl!.Replace("/announce", "/scrape", StringComparison.Ordinal));
            Assert.StartsWith("d14:failure reason", refused);

            using var missing = await http.GetAsync(tracker.HttpAnnounceUrl!.Replace("/announce", "/nothing", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            using var post = await http.PostAsync(tracker.HttpAnnounceUrl, null);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        using var cancel = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(20, cancel.Token);
        }
    }
}
