using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Http;

/// <summary>Transmission's RPC at /transmission/rpc (docs/rpc-spec.md of the transmission repository): the 409 +
/// X-Transmission-Session-Id handshake that keeps other sites' pages from posting to it (CSRF), then one JSON request
/// {method, arguments, tag} answered with {result, arguments, tag}; "success" or the reason in "result".</summary>
public sealed class TransmissionRpc(TransmissionSession session, TransmissionTorrents torrents, ILogger log)
{
    public const string Path = "/transmission/rpc";
    public const string SessionHeader = "X-Transmission-Session-Id";

    /// <summary>Largest request body: a torrent-add's base64 metainfo of a big torrent.</summary>
    public const long MaxBody = 48 * 1024 * 1024;

    private readonly string _sessionId = NewSessionId();

    public string SessionId => _sessionId;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapPost(Path, Handle);
        // Transmission answers GET with the handshake too: clients probe with it to learn the session id.
        routes.MapGet(Path, ctx => Conflict(ctx));
    }

    private async Task Handle(HttpContext ctx)
    {
        if (!string.Equals(ctx.Request.Headers[SessionHeader], _sessionId, StringComparison.Ordinal))
        {
            await Conflict(ctx).ConfigureAwait(false);
            return;
        }

        JsonObject request;
        try
        {
            request = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false) as JsonObject
                ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
            await ctx.Response.WriteAsync($"bad request: {e.Message}").ConfigureAwait(false);
            return;
        }

        var method = (request["method"] as JsonValue)?.TryGetValue<string>(out var m) == true ? m.Replace('_', '-') : string.Empty;
        var args = request["arguments"] as JsonObject ?? [];
        var answer = new JsonObject();
        try
        {
            var (arguments, result) = await Dispatch(method, args).ConfigureAwait(false);
            answer["result"] = result;
            answer["arguments"] = arguments;
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException or FormatException)
        {
            // InvalidOperationException: a JSON value of another kind than the spec's (a number where a string goes).
            log.LogDebug("rpc {Method}: {Reason}", method, e.Message);
            answer["result"] = e.Message;
            answer["arguments"] = new JsonObject();
        }

        if (request["tag"] is { } tag)
        {
            answer["tag"] = tag.DeepClone();
        }

        ctx.Response.ContentType = "application/json; charset=UTF-8";
        await ctx.Response.WriteAsync(answer.ToJsonString(), ctx.RequestAborted).ConfigureAwait(false);
    }

    private async Task<(JsonObject Arguments, string Result)> Dispatch(string method, JsonObject args)
    {
        switch (method)
        {
            case "session-get":
                return (await session.Get(args, _sessionId).ConfigureAwait(false), "success");
            case "session-set":
                return (await session.Set(args).ConfigureAwait(false), "success");
            case "session-stats":
                return (await session.Stats().ConfigureAwait(false), "success");
            case "free-space":
                return (TransmissionSession.FreeSpace(args), "success");
            case "torrent-get":
                return (await torrents.Get(args).ConfigureAwait(false), "success");
            case "torrent-add":
                return await torrents.Add(args).ConfigureAwait(false);
            case "torrent-start" or "torrent-start-now":
                return (await torrents.Each(args, h => new ResumeTorrent(h)).ConfigureAwait(false), "success");
            case "torrent-stop":
                return (await torrents.Each(args, h => new PauseTorrent(h)).ConfigureAwait(false), "success");
            case "torrent-verify":
                return (await torrents.Each(args, h => new RecheckTorrent(h)).ConfigureAwait(false), "success");
            case "torrent-remove":
                return (await torrents.Remove(args).ConfigureAwait(false), "success");
            case "torrent-set":
                return (await torrents.Set(args).ConfigureAwait(false), "success");
            case "port-test":
                return (new JsonObject { ["port-is-open"] = false }, "port-test is not supported by this node");
            default:
                return ([], "method name not recognized");
        }
    }

    private Task Conflict(HttpContext ctx)
    {
        ctx.Response.StatusCode = StatusCodes.Status409Conflict;
        ctx.Response.Headers[SessionHeader] = _sessionId;
        ctx.Response.ContentType = "text/html; charset=UTF-8";
        return ctx.Response.WriteAsync($"<h1>409: Conflict</h1><p>Your request had an invalid session-id header.</p><p><code>{SessionHeader}: {_sessionId}</code></p>");
    }

    private static string NewSessionId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
}
