using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Http;
using Xunit;

namespace Swarm.Node.Tests.Http;

/// <summary>The HTTP surface bound at start and built on its first connection (issue 14): the port is taken (and
/// refused to a second binder) at once; the connection that wakes Kestrel is answered, and so are later ones; the
/// allow-list and credentials hold from the first request; a host nobody connected to closes its port.</summary>
public sealed class NodeHttpHostTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static RpcSettings Settings(int port = 0, string user = "", string password = "") =>
        new(true, "127.0.0.1", port, user, password, [], TimeSpan.FromSeconds(15));

    private static readonly Action<IEndpointRouteBuilder>[] Hello = [r => r.MapGet("/hello", () => Results.Text("hello"))];

    [Fact]
    public async Task The_first_connection_starts_the_surface_and_it_and_later_ones_are_answered()
    {
        await using var host = await NodeHttpHost.StartAsync(Settings(), Hello, NullLoggerFactory.Instance);
        using var http = new HttpClient { Timeout = Bound };
        var url = $"http://{host.EndPoint}/hello";
        Assert.Equal("hello", await http.GetStringAsync(url));
        using var other = new HttpClient { Timeout = Bound };
        Assert.Equal("hello", await other.GetStringAsync(url));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"http://{host.EndPoint}/nothing")).StatusCode);
    }

    [Fact]
    public async Task Credentials_and_the_host_allow_list_hold_from_the_first_request()
    {
        await using var host = await NodeHttpHost.StartAsync(Settings(user: "u", password: "p"), Hello, NullLoggerFactory.Instance);
        using var http = new HttpClient { Timeout = Bound };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"http://{host.EndPoint}/hello")).StatusCode);
        using var foreign = new HttpRequestMessage(HttpMethod.Get, $"http://{host.EndPoint}/hello");
        foreign.Headers.Host = "evil.example";
        Assert.Equal(HttpStatusCode.MisdirectedRequest, (await http.SendAsync(foreign)).StatusCode);
    }

    [Fact]
    public async Task The_port_is_taken_at_start_and_a_second_surface_on_it_fails_with_one_line()
    {
        await using var host = await NodeHttpHost.StartAsync(Settings(), Hello, NullLoggerFactory.Instance);
        var e = await Assert.ThrowsAsync<IOException>(() => NodeHttpHost.StartAsync(Settings(host.EndPoint.Port), Hello, NullLoggerFactory.Instance));
        Assert.Contains($"cannot listen for RPC on 127.0.0.1:{host.EndPoint.Port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_surface_nobody_connected_to_closes_its_port_when_disposed()
    {
        var host = await NodeHttpHost.StartAsync(Settings(), Hello, NullLoggerFactory.Instance);
        var port = host.EndPoint.Port;
        await host.DisposeAsync().AsTask().WaitAsync(Bound);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task A_started_surface_closes_its_port_when_disposed()
    {
        var host = await NodeHttpHost.StartAsync(Settings(), Hello, NullLoggerFactory.Instance);
        var port = host.EndPoint.Port;
        using (var http = new HttpClient { Timeout = Bound })
        {
            Assert.Equal("hello", await http.GetStringAsync($"http://{host.EndPoint}/hello"));
        }

        await host.DisposeAsync().AsTask().WaitAsync(Bound);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => probe.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}
