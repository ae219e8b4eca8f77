using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Swarm.Actors.Configuration;
using Swarm.Actors.TrackerServer;
using Swarm.Protocol.Trackers;
using static Swarm.Actors.TrackerServer.TrackerServerMessages;

namespace Swarm.Node.Hosting;

/// <summary>The embedded tracker's front ends: Kestrel for HTTP announce and scrape, a UDP socket for BEP 15, both
/// asking one <see cref="TrackerRegistryActor"/>. Hostile requests get a bencoded failure reason (HTTP 200) or,
/// when Kestrel itself refuses the request line, a 4xx; never an exception.</summary>
public sealed class TrackerHost : IAsyncDisposable
{
    private readonly WebApplication? _http;
    private readonly IActorRef _registry;
    private readonly IActorRef _udp;

    private TrackerHost(WebApplication? http, IActorRef registry, IActorRef udp, string? httpUrl, string? udpUrl)
    {
        _http = http;
        _registry = registry;
        _udp = udp;
        HttpAnnounceUrl = httpUrl;
        UdpAnnounceUrl = udpUrl;
    }

    public string? HttpAnnounceUrl { get; }

    public string? UdpAnnounceUrl { get; }

    /// <param name="httpPort">-1 = no HTTP tracker, 0 = any free port.</param>
    /// <param name="clock">The tracker's time (peer expiry, UDP connection ids); the system clock by default.</param>
    public static async Task<TrackerHost> StartAsync(ActorSystem system, TrackerServerSettings settings, int httpPort, int udpPort, ILoggerFactory loggers, TimeProvider? clock = null)
    {
        clock ??= TimeProvider.System;
        if (!IPAddress.TryParse(settings.BindAddress, out var ip))
        {
            throw new ArgumentException($"swarm.tracker-server.bind-address '{settings.BindAddress}' is not an IP address");
        }

        var registry = system.ActorOf(TrackerRegistryActor.Props(settings, clock), "tracker");
        IActorRef udp = ActorRefs.Nobody;
        string? udpUrl = null;
        if (udpPort >= 0)
        {
            var socket = new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.Bind(new IPEndPoint(ip, udpPort));
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new IOException($"cannot listen for UDP announces on {ip}:{udpPort}: {e.Message}", e);
            }

            udpUrl = $"udp://{Host(ip)}:{((IPEndPoint)socket.LocalEndPoint!).Port}/announce";
            udp = system.ActorOf(UdpTrackerActor.Props(socket, registry, settings, clock), "tracker-udp");
        }

        WebApplication? app = null;
        string? httpUrl = null;
        if (httpPort >= 0)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddSingleton(loggers);
            // Announces never block (they hand off to the registry and await): run them on the socket's own completion
            // instead of queueing each to the thread pool first, one wait for a core less per request.
            builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);
            builder.WebHost.UseKestrel(k =>
            {
                k.Listen(ip, httpPort);
                k.AddServerHeader = false;
                k.Limits.MaxRequestLineSize = HttpTrackerServerCodec.MaxQueryLength + 512;
                k.Limits.MaxRequestBodySize = 0;
            });
            app = builder.Build();
            // One terminal handler instead of endpoint routing: two fixed paths need no route table per request.
            app.Run(ctx => ctx.Request.Method == HttpMethods.Get
                ? ctx.Request.Path.Value switch
                {
                    "/announce" => Announce(ctx, registry, settings),
                    "/scrape" => Scrape(ctx, registry, settings),
                    _ => Status(ctx, StatusCodes.Status404NotFound),
                }
                : Status(ctx, ctx.Request.Path.Value is "/announce" or "/scrape" ? StatusCodes.Status405MethodNotAllowed : StatusCodes.Status404NotFound));
            try
            {
                await app.StartAsync().ConfigureAwait(false);
            }
            catch (IOException e)
            {
                await app.DisposeAsync().ConfigureAwait(false);
                throw new IOException($"cannot listen for HTTP announces on {ip}:{httpPort}: {e.Message}", e);
            }

            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            httpUrl = $"http://{Host(ip)}:{new Uri(bound).Port}/announce";
        }

        return new TrackerHost(app, registry, udp, httpUrl, udpUrl);
    }

    private static string Host(IPAddress ip) => ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();

    private static Task Announce(HttpContext ctx, IActorRef registry, TrackerServerSettings settings) => Respond(ctx, async () =>
    {
        var request = HttpTrackerServerCodec.ParseAnnounce(ctx.Request.QueryString.Value, settings.DefaultNumWant, settings.MaxNumWant);
        var from = ctx.Connection.RemoteIpAddress ?? IPAddress.Loopback;
        return await registry.Ask(new TrackerServerMessages.Announce(request, from), settings.AskTimeout).ConfigureAwait(false) switch
        {
            AnnounceAnswer a => HttpTrackerServerCodec.Announce(a.Interval, a.MinInterval, a.Complete, a.Incomplete, a.Peers, request.Compact, request.NoPeerId),
            AnnounceRefused r => HttpTrackerServerCodec.Failure(r.Reason),
            var other => HttpTrackerServerCodec.Failure($"internal error: {other.GetType().Name}"),
        };
    });

    private static Task Scrape(HttpContext ctx, IActorRef registry, TrackerServerSettings settings) => Respond(ctx, async () =>
    {
        var hashes = HttpTrackerServerCodec.ParseScrape(ctx.Request.QueryString.Value, settings.MaxScrape);
        var answer = await registry.Ask<ScrapeAnswer>(new TrackerServerMessages.Scrape(hashes), settings.AskTimeout).ConfigureAwait(false);
        return HttpTrackerServerCodec.Scrape(answer.Entries);
    });

    private static Task Status(HttpContext ctx, int status)
    {
        ctx.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    /// <summary>Writes the bencoded answer; a refused request or a busy registry becomes a `failure reason`.</summary>
    private static async Task Respond(HttpContext ctx, Func<Task<byte[]>> answer)
    {
        byte[] body;
        try
        {
            body = await answer().ConfigureAwait(false);
        }
        catch (TrackerRequestException e)
        {
            body = HttpTrackerServerCodec.Failure(e.Message);
        }
        catch (AskTimeoutException)
        {
            body = HttpTrackerServerCodec.Failure("tracker busy, try again");
        }

        ctx.Response.StatusCode = StatusCodes.Status200OK;
        ctx.Response.ContentType = "text/plain";
        ctx.Response.ContentLength = body.Length;
        await ctx.Response.Body.WriteAsync(body).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_http is not null)
        {
            await _http.StopAsync().ConfigureAwait(false);
            await _http.DisposeAsync().ConfigureAwait(false);
        }

        _udp.Tell(PoisonPill.Instance);
        _registry.Tell(PoisonPill.Instance);
    }
}
