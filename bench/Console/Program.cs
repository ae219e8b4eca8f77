// Console round-trip benchmark (issue: actor console). Run on demand by bench/console.sh, not in CI.
// Loads the same N small torrents into a running `swarm node` (through its console) and a running
// transmission-daemon (through its RPC), then times R round trips of the equivalent requests on each:
// node status (swarm `status` / Transmission `session-stats`) and the full listing (swarm `torrents --json`,
// rendered to JSON as the CLI does / Transmission `torrent-get` with the same columns).
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Swarm.Actors.Configuration;
using Swarm.Node.Cli;
using Swarm.Node.ConsoleClient;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => args[x.i + 1]);
if (options.TryGetValue("nodes", out var nodeList))
{
    await SearchBench.RunAsync(nodeList.Split(','), int.Parse(options.GetValueOrDefault("torrents", "10000"), CultureInfo.InvariantCulture), int.Parse(options.GetValueOrDefault("requests", "200"), CultureInfo.InvariantCulture), options["work"]);
    return;
}

var node = options["node"];
var transmission = options["transmission"];
var count = int.Parse(options.GetValueOrDefault("torrents", "1000"), CultureInfo.InvariantCulture);
var requests = int.Parse(options.GetValueOrDefault("requests", "200"), CultureInfo.InvariantCulture);
var work = options["work"];

var content = Directory.CreateDirectory(Path.Combine(work, "content")).FullName;
var random = new Random(7);
var torrents = new List<byte[]>();
for (var i = 0; i < count; i++)
{
    var file = Path.Combine(content, $"t{i:D5}.bin");
    var data = new byte[16 << 10];
    random.NextBytes(data);
    File.WriteAllBytes(file, data);
    torrents.Add(TorrentFiles.Create(file, new TorrentBuildOptions([], 16 << 10)));
}

var settings = new ConsoleSettings(true, "127.0.0.1", 0, string.Empty, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), string.Empty, 64L << 20);
await using var swarm = await ConsoleConnection.ConnectAsync(node, Environment.GetEnvironmentVariable(ConsoleSettings.SecretVariable) ?? string.Empty, settings);
using var rpc = new TransmissionRpc($"http://{transmission}/transmission/rpc");

var adding = Stopwatch.StartNew();
foreach (var t in torrents)
{
    if (await swarm.SendAsync(new AddTorrentFile(t, content)) is not Done)
    {
        throw new InvalidOperationException("swarm refused a torrent");
    }
}

var swarmAdd = adding.Elapsed;
adding.Restart();
foreach (var t in torrents)
{
    await rpc.CallAsync("torrent-add", new JsonObject { ["metainfo"] = Convert.ToBase64String(t), ["download-dir"] = content });
}

var transmissionAdd = adding.Elapsed;
Console.Error.WriteLine($"added {count} torrents: swarm {swarmAdd.TotalSeconds:0.0} s, transmission {transmissionAdd.TotalSeconds:0.0} s");

// Both must hold every torrent before timing.
for (var deadline = DateTime.UtcNow.AddMinutes(5); ; await Task.Delay(500))
{
    var listed = await swarm.SendAsync(new ListNodeTorrents()) is TorrentListing l ? l.Torrents.Length : 0;
    var held = (await rpc.CallAsync("torrent-get", new JsonObject { ["fields"] = new JsonArray("id") }))["torrents"]!.AsArray().Count;
    if (listed == count && held == count)
    {
        break;
    }

    if (DateTime.UtcNow > deadline)
    {
        throw new TimeoutException($"swarm lists {listed}, transmission {held} of {count} torrents");
    }
}

string[] columns = ["hashString", "name", "totalSize", "percentDone", "status", "rateDownload", "rateUpload", "peersConnected", "downloadDir"];
var results = new List<(string Client, string Request, TimeSpan[] Times)>
{
    ("swarm", "status", await Time(async () => ConsoleRenderer.JsonOneLine(await swarm.SendAsync(new GetNodeStatus())))),
    ("transmission", "session-stats", await Time(async () => (await rpc.CallAsync("session-stats", new JsonObject())).ToJsonString())),
    ("swarm", "torrents --json", await Time(async () => ConsoleRenderer.JsonOneLine(await swarm.SendAsync(new ListNodeTorrents())))),
    ("transmission", "torrent-get (same columns)", await Time(async () => (await rpc.CallAsync("torrent-get", new JsonObject { ["fields"] = new JsonArray([.. columns.Select(c => (JsonNode)c)]) })).ToJsonString())),
};

Console.WriteLine($"| client | request ({count} torrents) | median | p99 |");
Console.WriteLine("|---|---|---|---|");
foreach (var (client, request, times) in results)
{
    var sorted = times.Order().ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {client} | {request} | {sorted[sorted.Length / 2].TotalMilliseconds:0.0} ms | {sorted[(int)Math.Ceiling(sorted.Length * 0.99) - 1].TotalMilliseconds:0.0} ms |"));
}

async Task<TimeSpan[]> Time(Func<Task<string>> request)
{
    for (var i = 0; i < 20; i++)
    {
        await request();
    }

    var times = new TimeSpan[requests];
    for (var i = 0; i < requests; i++)
    {
        var watch = Stopwatch.StartNew();
        var text = await request();
        times[i] = watch.Elapsed;
        GC.KeepAlive(text);
    }

    return times;
}

/// <summary>Transmission's JSON-RPC over HTTP, with its CSRF session id handshake.</summary>
internal sealed class TransmissionRpc(string url) : IDisposable
{
    private readonly HttpClient _http = new();
    private string? _session;

    public async Task<JsonNode> CallAsync(string method, JsonObject arguments)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = JsonContent.Create(new JsonObject { ["method"] = method, ["arguments"] = arguments.DeepClone() }),
            };
            if (_session is not null)
            {
                request.Headers.Add("X-Transmission-Session-Id", _session);
            }

            using var response = await _http.SendAsync(request);
            if (response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                _session = response.Headers.GetValues("X-Transmission-Session-Id").First();
                continue;
            }

            response.EnsureSuccessStatusCode();
            var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            return body["result"]!.GetValue<string>() == "success"
                ? body["arguments"]!
                : throw new InvalidOperationException($"transmission {method}: {body["result"]}");
        }

        throw new InvalidOperationException("transmission kept refusing the session id");
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>Search latency (issue: index server): T tiny torrents spread round-robin over the cluster's members, then
/// R searches from the first member for words that match one torrent each, and for a word that matches 1 %.</summary>
internal static class SearchBench
{
    public static async Task RunAsync(string[] nodes, int count, int requests, string work)
    {
        var settings = new ConsoleSettings(true, "127.0.0.1", 0, string.Empty, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), string.Empty, 64L << 20);
        var connections = new List<ConsoleConnection>();
        foreach (var n in nodes)
        {
            connections.Add(await ConsoleConnection.ConnectAsync(n, string.Empty, settings));
        }

        var content = Directory.CreateDirectory(Path.Combine(work, "search")).FullName;
        var random = new Random(3);
        var adding = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            // Names like "item-04711 topic-11": one unique word per torrent, and one word shared by 1 % of them.
            var file = Path.Combine(content, $"item-{i:D5} topic-{i % 100:D2}.bin");
            var data = new byte[1024];
            random.NextBytes(data);
            File.WriteAllBytes(file, data);
            var torrent = TorrentFiles.Create(file, new TorrentBuildOptions([], 16 << 10));
            if (await connections[i % connections.Count].SendAsync(new AddTorrentFile(torrent, content)) is not Done)
            {
                throw new InvalidOperationException($"torrent {i} refused");
            }
        }

        Console.Error.WriteLine($"added {count} torrents over {nodes.Length} members in {adding.Elapsed.TotalSeconds:0.0} s");
        var first = connections[0];
        // Wait until every member's torrents are searchable (they answer from their own catalogs).
        while (await first.SendAsync(new Search(["item"])) is not SearchListing { Results.Length: var n } || n < count)
        {
            await Task.Delay(500);
        }

        var unique = await Time(requests, i => first.SendAsync(new Search([$"item-{random.Next(count):D5}"])));
        var shared = await Time(requests, i => first.SendAsync(new Search([$"topic-{random.Next(100):D2}"])));
        Console.WriteLine($"| search across {nodes.Length} members, {count} torrents | median | p99 |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine(Row("one word matching 1 torrent", unique));
        Console.WriteLine(Row($"one word matching {count / 100} torrents", shared));
        foreach (var c in connections)
        {
            await c.DisposeAsync();
        }
    }

    private static async Task<TimeSpan[]> Time(int requests, Func<int, Task<IConsoleReply>> request)
    {
        for (var i = 0; i < 10; i++)
        {
            await request(i);
        }

        var times = new TimeSpan[requests];
        for (var i = 0; i < requests; i++)
        {
            var watch = Stopwatch.StartNew();
            if (await request(i) is not SearchListing)
            {
                throw new InvalidOperationException("search failed");
            }

            times[i] = watch.Elapsed;
        }

        return times;
    }

    private static string Row(string what, TimeSpan[] times)
    {
        var sorted = times.Order().ToArray();
        return string.Create(CultureInfo.InvariantCulture, $"| {what} | {sorted[sorted.Length / 2].TotalMilliseconds:0.0} ms | {sorted[(int)Math.Ceiling(sorted.Length * 0.99) - 1].TotalMilliseconds:0.0} ms |");
    }
}
