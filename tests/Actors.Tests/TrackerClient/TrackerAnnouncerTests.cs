using System.Net;
using System.Net.Sockets;
using Swarm.Actors.Configuration;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.TrackerClient;
using Swarm.Protocol;
using Swarm.Protocol.Trackers;
using Xunit;

namespace Swarm.Actors.Tests.TrackerClient;

/// <summary>The announcer against hostile HTTP trackers on loopback: what a tracker can make it read, follow or
/// reach is bounded, and each refusal is one clear tracker error.</summary>
public sealed class TrackerAnnouncerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly AnnounceRequest Request = new(InfoHash.Parse(new string('d', 40)), new byte[20], 6881, 0, 0, 1, AnnounceEvent.Started);
    private static readonly TrackerSettings Settings = TestNodes.Settings.Tracker with { MaxResponseSize = 256 * 1024, HttpTimeout = Wait };

    [Fact]
    public async Task A_gigabyte_body_without_a_length_is_an_error_after_the_cap_and_is_not_read_on()
    {
        using var tracker = new HostileHttpServer(async (server, _, stream) =>
        {
            await HostileHttpServer.WriteHeadAsync(stream, "HTTP/1.1 200 OK\r\nConnection: close");
            await server.StreamZerosAsync(stream, 1L << 30);
        });
        var e = await Assert.ThrowsAsync<TrackerException>(() => Announce(Settings, tracker.Url));
        Assert.Contains("too large", e.Message, StringComparison.Ordinal);
        // The socket buffers hold a few MiB at most: the client stopped reading at the cap and hung up.
        Assert.InRange(tracker.Sent, 0, 64L * 1024 * 1024);
    }

    [Fact]
    public async Task A_declared_gigabyte_is_refused_at_its_header()
    {
        using var tracker = new HostileHttpServer(async (server, _, stream) =>
        {
            await HostileHttpServer.WriteHeadAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {1L << 30}\r\nConnection: close");
            await server.StreamZerosAsync(stream, 1L << 30);
        });
        var e = await Assert.ThrowsAsync<TrackerException>(() => Announce(Settings, tracker.Url));
        Assert.Contains("1073741824 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_loop_is_followed_a_bounded_number_of_times()
    {
        using var tracker = new HostileHttpServer((_, _, stream) =>
            HostileHttpServer.WriteHeadAsync(stream, "HTTP/1.1 302 Found\r\nLocation: /announce?again=1\r\nContent-Length: 0\r\nConnection: close"));
        var e = await Assert.ThrowsAsync<TrackerException>(() => Announce(Settings with { MaxRedirects = 3 }, tracker.Url));
        Assert.Contains("more than 3", e.Message, StringComparison.Ordinal);
        Assert.Equal(4, tracker.Requests.Count); // the announce and three redirects
    }

    [Fact]
    public async Task A_redirect_to_a_file_is_never_followed()
    {
        using var tracker = new HostileHttpServer((_, _, stream) =>
            HostileHttpServer.WriteHeadAsync(stream, "HTTP/1.1 301 Moved\r\nLocation: file:///etc/passwd\r\nContent-Length: 0\r\nConnection: close"));
        var e = await Assert.ThrowsAsync<TrackerException>(() => Announce(Settings, tracker.Url));
        Assert.Contains("file:///etc/passwd", e.Message, StringComparison.Ordinal);
        Assert.Contains("only http and https", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redirect_to_a_tracker_is_followed_and_its_peers_are_capped()
    {
        using var real = new HostileHttpServer(async (_, _, stream) =>
        {
            // 5,000 compact peers where 80 were asked for.
            var peers = Enumerable.Range(0, 5000).SelectMany(i => new byte[] { 10, 0, (byte)(i >> 8), (byte)i, 0x1A, 0xE1 }).ToArray();
            var body = "d8:intervali900e5:peers30000:"u8.ToArray().Concat(peers).Concat("e"u8.ToArray()).ToArray();
            await HostileHttpServer.WriteHeadAsync(stream, $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nConnection: close");
            await stream.WriteAsync(body);
        });
        using var redirecting = new HostileHttpServer((_, _, stream) =>
            HostileHttpServer.WriteHeadAsync(stream, $"HTTP/1.1 307 Temporary Redirect\r\nLocation: {real.Url}\r\nContent-Length: 0\r\nConnection: close"));
        var response = await Announce(Settings with { MaxPeersPerReply = 100 }, redirecting.Url);
        Assert.Equal(100, response.Peers.Count);
        Assert.Equal(TimeSpan.FromSeconds(900), response.Interval);
    }

    [Fact]
    public async Task With_refuse_private_addresses_a_local_tracker_is_never_contacted()
    {
        using var tracker = new HostileHttpServer((_, _, stream) => HostileHttpServer.WriteHeadAsync(stream, "HTTP/1.1 500 No\r\nContent-Length: 0"));
        var refusing = Settings with { RefusePrivateAddresses = true };
        var e = await Assert.ThrowsAsync<TrackerException>(() => Announce(refusing, tracker.Url));
        Assert.Contains("refuse-private-addresses", e.Message, StringComparison.Ordinal);
        var udp = await Assert.ThrowsAsync<TrackerException>(() => Announce(refusing, "udp://127.0.0.1:6969/announce"));
        Assert.Contains("refuse-private-addresses", udp.Message, StringComparison.Ordinal);
        Assert.Empty(tracker.Requests);

        // Off (the default), the same tracker is asked.
        await Assert.ThrowsAsync<TrackerException>(() => Announce(Settings, tracker.Url));
        Assert.Single(tracker.Requests);
    }

    [Fact]
    public async Task Announces_leave_from_the_bound_address()
    {
        using var tracker = new HostileHttpServer((_, _, stream) => HostileHttpServer.WriteHeadAsync(stream, "HTTP/1.1 500 No\r\nContent-Length: 0"));
        await Assert.ThrowsAsync<TrackerException>(() => Announce(Settings with { SourceAddress = IPAddress.Parse("127.0.0.7") }, tracker.Url));
        Assert.Equal(IPAddress.Parse("127.0.0.7"), Assert.Single(tracker.Requests).From);
    }

    private static async Task<AnnounceResponse> Announce(TrackerSettings settings, string url)
    {
        var announcer = new TrackerAnnouncer(settings with { UdpMaxAttempts = 1, UdpRetransmitBase = TimeSpan.FromMilliseconds(200) }, TrackerClientActor.Http);
        using var cts = new CancellationTokenSource(Wait);
        return await announcer.AnnounceAsync(url, Request, cts.Token);
    }
}
