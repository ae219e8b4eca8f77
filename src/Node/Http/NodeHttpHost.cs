using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Swarm.Node.Http;

/// <summary>The node's HTTP surface on Kestrel: every request passes the Host allow-list (421 otherwise, against DNS
/// rebinding) and, when credentials are set, HTTP Basic authentication (401); then each surface answers its own
/// paths (Transmission RPC, metrics, health, and whatever else is mapped in with <see cref="Surfaces"/>). Paths no
/// surface claims are 404 (`/` is the dashboard's).</summary>
public sealed class NodeHttpHost : IAsyncDisposable
{
    /// <summary>Health probes are answered without credentials (they tell nothing but live/ready), still Host-checked.</summary>
    private static readonly PathString Health = new("/health");

    private const int MaxLoggedHosts = 64;

    private readonly WebApplication _app;

    private NodeHttpHost(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    /// <param name="surfaces">Each maps its paths (e.g. <see cref="TransmissionRpc.Map"/>, <see cref="NodeProbes.Map"/>).</param>
    public static async Task<NodeHttpHost> StartAsync(RpcSettings settings, IEnumerable<Action<IEndpointRouteBuilder>> surfaces, ILoggerFactory loggers)
    {
        var ip = settings.CheckedBindAddress();
        var allowed = new HostAllowList(ip, settings.AllowedHosts);
        var credentials = new BasicCredentials(settings.EffectiveUsername, settings.EffectivePassword);
        var log = loggers.CreateLogger("Swarm.Node.Http");
        var refusedHosts = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>(StringComparer.OrdinalIgnoreCase);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(ip, settings.Port);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = TransmissionRpc.MaxBody;
        });
        var app = builder.Build();
        app.Use(async (ctx, next) =>
        {
            if (!allowed.Allows(ctx.Request.Headers.Host))
            {
                // Once per foreign Host (up to a bound): a page retrying in a loop must not flood the log.
                var host = ctx.Request.Headers.Host.ToString();
                if (refusedHosts.Count < MaxLoggedHosts && refusedHosts.TryAdd(host, 0))
                {
                    log.LogWarning("HTTP request from {Remote} refused: Host '{Host}' is not allowed (add it to swarm.rpc.allowed-hosts if it is yours)", ctx.Connection.RemoteIpAddress, Printable(host));
                }

                ctx.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync("421: this Host is not allowed on this node (swarm.rpc.allowed-hosts)\n").ConfigureAwait(false);
                return;
            }

            if (!ctx.Request.Path.StartsWithSegments(Health) && !credentials.Accepts(ctx.Request.Headers.Authorization))
            {
                ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                ctx.Response.Headers.WWWAuthenticate = "Basic realm=\"Transmission\"";
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync("401: Unauthorized\n").ConfigureAwait(false);
                return;
            }

            try
            {
                await next(ctx).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "HTTP {Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
                throw;
            }
        });
        foreach (var map in surfaces)
        {
            map(app);
        }

        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException($"cannot listen for RPC on {ip}:{settings.Port}: {e.Message}", e);
        }

        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new NodeHttpHost(app, new IPEndPoint(ip, bound.Port));
    }

    private static string Printable(string s) => Protocol.Printable.ForTerminal(s.Length > 200 ? s[..200] : s);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
