using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>A minimal Transmission RPC client for the tests: the 409 session handshake, Basic credentials, and raw
/// requests with any Host header (to see what the node refuses).</summary>
public sealed class TransmissionRpcClient(string endPoint, string? credentials = null) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = Timeouts.Reject };
    private string? _session;

    public string BaseUrl => $"http://{endPoint}";

    /// <summary>One RPC call; the handshake is done on the first 409. Returns the whole answer ({result, arguments}).</summary>
    public async Task<JsonObject> CallAsync(string method, JsonObject? arguments = null)
    {
        var body = new JsonObject { ["method"] = method, ["arguments"] = arguments ?? [] }.ToJsonString();
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var response = await SendAsync(HttpMethod.Post, "/transmission/rpc", body);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                _session = response.Headers.GetValues("X-Transmission-Session-Id").Single();
                continue;
            }

            response.EnsureSuccessStatusCode();
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        }

        throw new InvalidOperationException("the node answered 409 twice");
    }

    /// <summary>torrent-get of the given fields for every torrent.</summary>
    public async Task<JsonArray> TorrentsAsync(params string[] fields)
    {
        var answer = await CallAsync("torrent-get", new JsonObject { ["fields"] = new JsonArray([.. fields.Select(f => (JsonNode)f)]) });
        return answer["arguments"]!["torrents"]!.AsArray();
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body = null, string? host = null, string? auth = null)
    {
        var request = new HttpRequestMessage(method, BaseUrl + path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        if ((auth ?? credentials) is { } basic)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        }

        if (_session is not null)
        {
            request.Headers.Add("X-Transmission-Session-Id", _session);
        }

        return await _http.SendAsync(request);
    }

    public void Dispose() => _http.Dispose();
}
