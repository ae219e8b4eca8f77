using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace Swarm.Node.Http;

/// <summary>The node's HTTP surface on Kestrel: every request passes the Host allow-list (421 otherwise, against DNS
/// rebinding) and, when credentials are set, HTTP Basic authentication (401); then each surface answers its own
/// paths (Transmission RPC, metrics, health, and whatever else is mapped in with <see cref="Surfaces"/>). Paths no
/// surface claims are 404 (`/` is the dashboard's).
/// Footprint (issue 14): the port is bound and listened on at start, but Kestrel, and the ASP.NET Core assemblies
/// and code behind it (about 13 MiB resident), are built only when the first connection arrives, which it then
/// serves (<see cref="FirstConnectionListener"/>): a node nobody drives over HTTP does not carry them.</summary>
public sealed class NodeHttpHost : IAsyncDisposable
{
    /// <summary>Health probes are answered without credentials (they tell nothing but live/ready), still Host-checked.</summary>
    private static readonly PathString Health = new("/health");

    private const int MaxLoggedHosts = 64;

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<IAsyncDisposable?> _serving;

    private NodeHttpHost(Socket listener, IPEndPoint endPoint, Func<Socket, Task<IAsyncDisposable>> serve, ILogger log)
    {
        _listener = listener;
        EndPoint = endPoint;
        _serving = ServeFromFirstConnectionAsync(serve, log);
    }

    public IPEndPoint EndPoint { get; }

    /// <param name="surfaces">Each maps its paths (e.g. <see cref="TransmissionRpc.Map"/>, <see cref="NodeProbes.Map"/>).</param>
    /// <exception cref="IOException">The address cannot be listened on.</exception>
    public static Task<NodeHttpHost> StartAsync(RpcSettings settings, IEnumerable<Action<IEndpointRouteBuilder>> surfaces, ILoggerFactory loggers)
    {
        var ip = settings.CheckedBindAddress();
        var listener = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(ip, settings.Port));
            listener.Listen((int)SocketOptionName.MaxConnections);
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"cannot listen for RPC on {ip}:{settings.Port}: {e.Message}", e);
        }

        var log = loggers.CreateLogger("Swarm.Node.Http");
        var endPoint = (IPEndPoint)listener.LocalEndPoint!;
        return Task.FromResult(new NodeHttpHost(listener, endPoint, first => ServeAsync(settings, ip, surfaces, loggers, listener, first), log));
    }

    /// <summary>Waits for the first connection, then builds Kestrel to serve it and all later ones; null when the host
    /// was disposed before anyone connected, or Kestrel could not start (then the port is closed, said once).</summary>
    private async Task<IAsyncDisposable?> ServeFromFirstConnectionAsync(Func<Socket, Task<IAsyncDisposable>> serve, ILogger log)
    {
        Socket first;
        try
        {
            first = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException or SocketException)
        {
            return null;
        }

        try
        {
            return await serve(first).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            log.LogError(e, "the HTTP surface on {EndPoint} could not start: it is closed", EndPoint);
            first.Dispose();
            _listener.Dispose();
            return null;
        }
    }

    private static async Task<IAsyncDisposable> ServeAsync(RpcSettings settings, IPAddress ip, IEnumerable<Action<IEndpointRouteBuilder>> surfaces, ILoggerFactory loggers, Socket listener, Socket first)
    {
        var allowed = new HostAllowList(ip, settings.AllowedHosts);
        var credentials = new BasicCredentials(settings.EffectiveUsername, settings.EffectivePassword);
        var log = loggers.CreateLogger("Swarm.Node.Http");
        var refusedHosts = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>(StringComparer.OrdinalIgnoreCase);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen((IPEndPoint)listener.LocalEndPoint!);
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = TransmissionRpc.MaxBody;
        });
        // Kestrel's connections come from the socket bound at start: no transport of its own binds the port again.
        builder.Services.RemoveAll<IConnectionListenerFactory>();
        builder.Services.AddSingleton<IConnectionListenerFactory>(new FirstConnectionListener(listener, first, log));
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
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new RunningApp(app);
    }

    private static string Printable(string s) => Protocol.Printable.ForTerminal(s.Length > 200 ? s[..200] : s);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (await _serving.ConfigureAwait(false) is { } app)
        {
            await app.DisposeAsync().ConfigureAwait(false);
        }

        _listener.Dispose();
        _stop.Dispose();
    }

    /// <summary>Kestrel once started: stopped (its connections drained) before it is disposed. Typed apart so that a
    /// node whose surface never started loads no ASP.NET Core type even when it stops.</summary>
    private sealed class RunningApp(WebApplication app) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}
