using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Http;

/// <summary>The live dashboard: the page at `/` (HTML, CSS and JS embedded in this assembly), its event stream at
/// /dashboard/events (server-sent events carrying the <see cref="DashboardFeed"/>'s snapshots) and its actions
/// (add, pause, resume, remove, replication factor) as JSON POSTs over the console's commands. It sits behind the
/// HTTP surface's Host allow-list and Basic auth like every other path. Against cross-site requests each POST must
/// carry the X-Dashboard-Token header with the token the event stream hands the page first: another site's page can
/// neither read the stream (same-origin policy; the Host check stops DNS rebinding) nor send a custom header without
/// a CORS preflight, which this node never grants.</summary>
public sealed partial class DashboardEndpoints(DashboardFeed feed, NodeCommands commands, TransmissionTorrents torrents)
{
    public const string TokenHeader = "X-Dashboard-Token";

    /// <summary>The page may load only its own script and style and talk only to this node; no framing (clickjacking
    /// of the action buttons).</summary>
    private const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();

    private readonly IReadOnlyDictionary<string, (byte[] Body, string Type)> _files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal)
    {
        ["/"] = (Embedded("index.html"), "text/html; charset=utf-8"),
        ["/dashboard/app.js"] = (Embedded("app.js"), "text/javascript; charset=utf-8"),
        ["/dashboard/app.css"] = (Embedded("app.css"), "text/css; charset=utf-8"),
    };

    public void Map(IEndpointRouteBuilder routes)
    {
        var lifetime = routes.ServiceProvider.GetRequiredService<IHostApplicationLifetime>();
        lifetime.ApplicationStopping.Register(() => feed.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5)));
        foreach (var (path, (body, type)) in _files)
        {
            routes.MapGet(path, ctx => Static(ctx, body, type));
        }

        routes.MapGet("/dashboard/events", ctx => Events(ctx, lifetime.ApplicationStopping));
        routes.MapPost("/dashboard/add", ctx => Action(ctx, Add));
        routes.MapPost("/dashboard/torrents/{hash}/{action}", ctx => Action(ctx, TorrentAction));
    }

    private static Task Static(HttpContext ctx, byte[] body, string type)
    {
        var h = ctx.Response.Headers;
        h.ContentType = type;
        h.CacheControl = "no-cache";
        h.ContentSecurityPolicy = ContentSecurityPolicy;
        h.XContentTypeOptions = "nosniff";
        h["Referrer-Policy"] = "no-referrer";
        return ctx.Response.Body.WriteAsync(body, ctx.RequestAborted).AsTask();
    }

    private async Task Events(HttpContext ctx, CancellationToken stopping)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        ctx.Response.ContentType = "text/event-stream; charset=utf-8";
        ctx.Response.Headers.CacheControl = "no-cache";
        ctx.Response.Headers["X-Accel-Buffering"] = "no";
        using var listener = feed.Listen();
        try
        {
            // retry: how soon the browser reconnects after the node went away (a restart hands out a new token).
            await Write(ctx, $"retry: 2000\nevent: token\ndata: {_token}\n\n", stop.Token).ConfigureAwait(false);
            while (!stop.IsCancellationRequested)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                quiet.CancelAfter(feed.Settings.KeepAlive);
                try
                {
                    if (!await listener.Snapshots.WaitToReadAsync(quiet.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    await Write(ctx, ": keep-alive\n\n", stop.Token).ConfigureAwait(false);
                    continue;
                }

                while (listener.Snapshots.TryRead(out var json))
                {
                    await Write(ctx, $"event: snapshot\ndata: {json}\n\n", stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page closed, or the node stops.
        }
    }

    private static async Task Write(HttpContext ctx, string text, CancellationToken ct)
    {
        await ctx.Response.WriteAsync(text, ct).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Checks the token, parses the JSON body, runs the action and answers {message} or {error}; then every
    /// open page gets a fresh snapshot at once.</summary>
    private async Task Action(HttpContext ctx, Func<HttpContext, JsonObject, Task<(int Status, string Text)>> action)
    {
        var given = Encoding.UTF8.GetBytes(ctx.Request.Headers[TokenHeader].ToString());
        if (!CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(_token)))
        {
            await Answer(ctx, StatusCodes.Status403Forbidden, $"missing or stale {TokenHeader}: reload the page").ConfigureAwait(false);
            return;
        }

        JsonObject body;
        try
        {
            body = ctx.Request.ContentLength == 0
                ? []
                : await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            await Answer(ctx, StatusCodes.Status400BadRequest, $"the request is not a JSON object: {e.Message}").ConfigureAwait(false);
            return;
        }

        int status;
        string text;
        try
        {
            (status, text) = await action(ctx, body).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or FormatException)
        {
            // InvalidOperationException: a JSON value of another kind than asked (a string where a number goes).
            (status, text) = (StatusCodes.Status422UnprocessableEntity, e.Message);
        }

        await Answer(ctx, status, text).ConfigureAwait(false);
        if (status < 300)
        {
            await feed.RefreshNowAsync().ConfigureAwait(false);
        }
    }

    private static Task Answer(HttpContext ctx, int status, string text)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        var answer = status < 300 ? new JsonObject { ["message"] = text } : new JsonObject { ["error"] = text };
        return ctx.Response.WriteAsync(answer.ToJsonString(Json));
    }

    /// <summary>{magnet} (a magnet link or info-hash) or {metainfo} (a .torrent's bytes in base64), saved in the
    /// node's default folder; the Transmission RPC's own torrent-add, so duplicates and bad files are told alike.</summary>
    private async Task<(int, string)> Add(HttpContext ctx, JsonObject body)
    {
        var args = new JsonObject();
        if (body["metainfo"] is JsonValue metainfo && metainfo.GetValue<string>() is { Length: > 0 } b64)
        {
            args["metainfo"] = b64;
        }
        else if (body["magnet"] is JsonValue magnet && magnet.GetValue<string>().Trim() is { Length: > 0 } link)
        {
            args["filename"] = IsHash(link) ? $"magnet:?xt=urn:btih:{link}" : link;
            if (!args["filename"]!.GetValue<string>().StartsWith("magnet:", StringComparison.OrdinalIgnoreCase))
            {
                return (StatusCodes.Status422UnprocessableEntity, "paste a magnet link (magnet:?xt=urn:btih:…) or a 40-digit info-hash");
            }
        }
        else
        {
            return (StatusCodes.Status400BadRequest, "choose a .torrent file or paste a magnet link");
        }

        var (arguments, result) = await torrents.Add(args).ConfigureAwait(false);
        if (result != "success")
        {
            return (StatusCodes.Status422UnprocessableEntity, result);
        }

        return arguments["torrent-duplicate"] is JsonObject dup
            ? (StatusCodes.Status200OK, $"{dup["name"]} is already on this node")
            : (StatusCodes.Status200OK, $"added {arguments["torrent-added"]?["name"]}");
    }

    private async Task<(int, string)> TorrentAction(HttpContext ctx, JsonObject body)
    {
        var hash = ctx.Request.RouteValues["hash"] as string ?? string.Empty;
        if (!IsHash(hash))
        {
            return (StatusCodes.Status404NotFound, "not an info-hash");
        }

        IConsoleCommand command;
        switch (ctx.Request.RouteValues["action"] as string)
        {
            case "pause":
                command = new PauseTorrent(hash);
                break;
            case "resume":
                command = new ResumeTorrent(hash);
                break;
            case "remove":
                command = new RemoveNodeTorrent(hash, body["deleteData"]?.GetValue<bool>() == true);
                break;
            case "factor":
                var factor = body["factor"]?.GetValue<int>() ?? throw new RpcException("factor is missing");
                command = new Replicas(hash, factor);
                break;
            default:
                return (StatusCodes.Status404NotFound, "no such action (pause, resume, remove, factor)");
        }

        return await commands.Send(command, ctx.RequestAborted).ConfigureAwait(false) switch
        {
            Done d => (StatusCodes.Status200OK, d.Message),
            ReplicaInfo r => (StatusCodes.Status200OK, $"{r.Name}: replication factor {r.Factor}{(r.DefaultFactor ? " (the cluster default)" : string.Empty)}, {r.Complete} complete copies"),
            CommandFailed f => (StatusCodes.Status422UnprocessableEntity, f.Message),
            Refused r => (StatusCodes.Status403Forbidden, r.Reason),
            var other => (StatusCodes.Status500InternalServerError, $"unexpected answer from the node: {other.GetType().Name}"),
        };
    }

    private static bool IsHash(string s) => HashPattern().IsMatch(s);

    [GeneratedRegex("^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$")]
    private static partial Regex HashPattern();

    private static byte[] Embedded(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream($"Swarm.Node.Http.Dashboard.{name}")
            ?? throw new InvalidOperationException($"the dashboard's {name} is not embedded in this build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
