using System.Net;
using System.Text.Json.Nodes;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Swarm.EndToEnd.Tests;

/// <summary>The node's live dashboard at `/` in Debian's headless chromium (Playwright): it follows the node without a
/// reload (a torrent added over the Transmission RPC, a libtorrent seeder completing it, a cluster member killed),
/// its buttons act through the node's commands, axe finds no serious accessibility fault, and it is refused to a
/// foreign Host like the RPC.</summary>
public sealed class DashboardTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private const string Credentials = "alice:open sesame";

    /// <summary>Failure detection (~5 s), a copy of a few MiB, gossip and the page's 1 s refresh fit well inside this.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);

    static DashboardTests() => SetDefaultExpectTimeout((float)Settle.TotalMilliseconds);

    [Fact]
    public async Task A_torrent_added_over_rpc_appears_on_an_open_page_which_pauses_resumes_adds_removes_and_sets_its_factor()
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(PayloadKind.MultiFile);
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next()));
        await tracker.WaitForSeederAsync(torrent.InfoHash);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        using var rpc = new TransmissionRpcClient(node.Rpc!);
        var browser = Own(await HeadlessChromium.StartAsync(Log));
        var page = await browser.OpenAsync(rpc.BaseUrl + "/");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
        await Expect(page.Locator("#no-torrents")).ToBeVisibleAsync();

        // Added paused over the RPC: the open page shows it without a reload.
        var added = await rpc.CallAsync("torrent-add", new JsonObject
        {
            ["metainfo"] = Convert.ToBase64String(await File.ReadAllBytesAsync(torrent.TorrentPath)),
            ["download-dir"] = Dir.Sub("out"),
            ["paused"] = true,
        });
        Assert.Equal("success", (string)added["result"]!);
        var row = page.Locator($"#torrents tr[data-hash='{torrent.InfoHash}']");
        await Expect(row.Locator(".title")).ToHaveTextAsync(torrent.Content.Name);
        await Expect(row.Locator(".state")).ToHaveTextAsync("paused");
        await Expect(page.Locator("#no-torrents")).ToBeHiddenAsync();

        // Started over the RPC, the seeder completes it: state, progress and strip follow on the page.
        Assert.Equal("success", (string)(await rpc.CallAsync("torrent-start"))["result"]!);
        await Expect(row.Locator(".state")).ToHaveTextAsync("seeding");
        await Expect(row.Locator(".pct")).ToHaveTextAsync("100%");
        await Expect(row.Locator(".bar")).ToHaveAttributeAsync("aria-valuenow", "100");
        var pieces = await row.Locator(".strip").GetAttributeAsync("data-pieces");
        await Expect(row.Locator(".strip")).ToHaveAttributeAsync("aria-label", $"{pieces} of {pieces} pieces verified");
        Assert.True(await row.Locator(".strip span").CountAsync() > 0);
        Assert.Equal(0, await row.Locator(".strip span:not([data-level='all'])").CountAsync());

        // The page's Pause and Resume reach the node (seen over the RPC: stopped 0, seeding 6).
        await row.GetByRole(AriaRole.Button, new() { Name = $"Pause {torrent.Content.Name}" }).ClickAsync();
        await WaitForStatusAsync(rpc, torrent.InfoHash, 0);
        await Expect(row.Locator(".state")).ToHaveTextAsync("paused");
        await row.GetByRole(AriaRole.Button, new() { Name = $"Resume {torrent.Content.Name}" }).ClickAsync();
        await WaitForStatusAsync(rpc, torrent.InfoHash, 6);
        await Expect(row.Locator(".state")).ToHaveTextAsync("seeding");

        // Its replication factor, set on the page's replica map, is the node's (swarmReplicationFactor over the RPC).
        var replica = page.Locator($"#replicas tr[data-hash='{torrent.InfoHash}']");
        await replica.GetByRole(AriaRole.Spinbutton, new() { Name = $"Replication factor of {torrent.Content.Name}" }).FillAsync("3");
        await replica.GetByRole(AriaRole.Button, new() { Name = $"Set the replication factor of {torrent.Content.Name}" }).ClickAsync();
        await Poll.UntilAsync(
            async () => (await rpc.TorrentsAsync("hashString", "swarmReplicationFactor")).Single(t => (string)t!["hashString"]! == torrent.InfoHash)!.AsObject(),
            t => (int)t["swarmReplicationFactor"]! == 3,
            Settle,
            TimeSpan.FromMilliseconds(300),
            t => $"the factor set on the page never reached the node: {t?.ToJsonString()}");
        await Expect(replica.Locator(".copies-count")).ToHaveTextAsync("1 / 3");
        await Expect(page.Locator("#message")).ToContainTextAsync("replication factor 3");

        // A magnet pasted on the page is added; removed on the page (with the dialog), it is gone from the node.
        const string magnetHash = "0123456789abcdef0123456789abcdef01234567";
        await page.GetByLabel("Magnet link or info-hash").FillAsync($"magnet:?xt=urn:btih:{magnetHash}&dn=pasted");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Poll.UntilAsync(
            async () => await rpc.TorrentsAsync("hashString"),
            t => t.Any(x => (string)x!["hashString"]! == magnetHash),
            Settle,
            TimeSpan.FromMilliseconds(300),
            t => $"the pasted magnet was not added: {t?.ToJsonString()}");
        var magnetRow = page.Locator($"#torrents tr[data-hash='{magnetHash}']");
        await Expect(magnetRow.Locator(".state")).ToHaveTextAsync("metadata");
        await magnetRow.GetByRole(AriaRole.Button, new() { Name = "Remove pasted" }).ClickAsync();
        await page.Locator("#remove-confirm").ClickAsync();
        await Expect(magnetRow).ToHaveCountAsync(0);
        var left = await rpc.TorrentsAsync("hashString");
        Assert.Equal([torrent.InfoHash], left.Select(t => (string)t!["hashString"]!));

        // A bad magnet gets one clear line and changes nothing.
        await page.GetByLabel("Magnet link or info-hash").FillAsync("magnet:?xt=urn:btih:nothex");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add", Exact = true }).ClickAsync();
        await Expect(page.Locator("#message")).ToHaveAttributeAsync("data-kind", "error");
        await Expect(page.Locator("#message")).ToContainTextAsync("magnet");
        Assert.Single(await rpc.TorrentsAsync("hashString"));
    }

    [Fact]
    public async Task A_killed_member_shows_unreachable_and_the_copies_it_held_drop()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var a = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("a")));
        var b = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("b"), "--seed-node", a.Cluster));
        using var rpc = new TransmissionRpcClient(a.Rpc!);
        var browser = Own(await HeadlessChromium.StartAsync(Log));
        var page = await browser.OpenAsync(rpc.BaseUrl + "/");

        var memberB = page.Locator($"#members tr[data-address$='@{b.Cluster}']");
        await Expect(memberB.Locator(".reach")).ToHaveTextAsync("reachable");
        await Expect(page.Locator("#member-count")).ToHaveTextAsync("(2 of 2 up)");

        // a seeds it; the cluster's default factor (2) puts a copy on b: 2 of 2 on the page's replica map.
        var added = await rpc.CallAsync("torrent-add", new JsonObject
        {
            ["metainfo"] = Convert.ToBase64String(await File.ReadAllBytesAsync(torrent.TorrentPath)),
            ["download-dir"] = torrent.Content.Parent,
        });
        Assert.Equal("success", (string)added["result"]!);
        var replica = page.Locator($"#replicas tr[data-hash='{torrent.InfoHash}']");
        await Expect(replica.Locator(".copies-count")).ToHaveTextAsync("2 / 2");
        await Expect(replica).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bunder\b"));
        await Expect(replica.Locator(".pip.ok")).ToHaveCountAsync(2);

        await b.Process.SignalAsync("KILL");

        // Without a reload: b unreachable (or, once downed, removed and unreachable), its copy no longer counted.
        await Expect(memberB.Locator(".reach")).ToHaveTextAsync("unreachable");
        await Expect(replica.Locator(".copies-count")).ToHaveTextAsync("1 / 2");
        await Expect(replica).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bunder\b"));
        await Expect(replica.Locator(".tag.warn")).ToHaveTextAsync("under-replicated");
        await Expect(page.Locator($"#torrents tr[data-hash='{torrent.InfoHash}'] .copies")).ToHaveTextAsync("1 / 2");
        await Expect(page.Locator("#member-count")).ToHaveTextAsync("(1 of 2 up)");
    }

    [Fact]
    public async Task Axe_finds_no_serious_or_critical_violation_in_light_or_dark()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        using var rpc = new TransmissionRpcClient(node.Rpc!);
        Assert.Equal("success", (string)(await rpc.CallAsync("torrent-add", new JsonObject
        {
            ["metainfo"] = Convert.ToBase64String(await File.ReadAllBytesAsync(torrent.TorrentPath)),
            ["download-dir"] = torrent.Content.Parent,
        }))["result"]!);
        await rpc.CallAsync("torrent-add", new JsonObject { ["filename"] = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=waiting" });
        var browser = Own(await HeadlessChromium.StartAsync(Log));

        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            var page = await browser.OpenAsync(rpc.BaseUrl + "/", scheme: scheme);
            // Every part drawn: both torrents, the member, the replica map.
            await Expect(page.Locator($"#torrents tr[data-hash='{torrent.InfoHash}'] .state")).ToHaveTextAsync("seeding");
            await Expect(page.Locator("#torrents tbody tr")).ToHaveCountAsync(2);
            await Expect(page.Locator("#members tbody tr")).ToHaveCountAsync(1);
            await Expect(page.Locator($"#replicas tr[data-hash='{torrent.InfoHash}']")).ToBeVisibleAsync();

            var result = await page.RunAxe();
            var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToArray();
            foreach (var v in result.Violations)
            {
                Log.WriteLine($"axe ({scheme}) {v.Impact} {v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Select(n => n.Html))}");
            }

            Assert.True(serious.Length == 0, $"axe ({scheme}): {string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help}"))}");
            Assert.True(result.Passes.Length > 0, "axe ran no check at all");
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task The_dashboard_is_refused_to_a_foreign_host_and_without_credentials_and_its_actions_need_the_page_token()
    {
        var config = Path.Combine(Dir.Path, "rpc.conf");
        await File.WriteAllTextAsync(config, "swarm.rpc.username = \"alice\"\nswarm.rpc.password = \"open sesame\"\n");
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node"), "--config", config));
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        using var rpc = new TransmissionRpcClient(node.Rpc!, Credentials);
        Assert.Equal("success", (string)(await rpc.CallAsync("torrent-add", new JsonObject
        {
            ["metainfo"] = Convert.ToBase64String(await File.ReadAllBytesAsync(torrent.TorrentPath)),
            ["download-dir"] = torrent.Content.Parent,
        }))["result"]!);

        foreach (var path in new[] { "/", "/dashboard/events", "/dashboard/app.js" })
        {
            using var foreign = await rpc.SendAsync(HttpMethod.Get, path, host: "rebind.example");
            Assert.Equal(HttpStatusCode.MisdirectedRequest, foreign.StatusCode);
            using var foreignWithPort = await rpc.SendAsync(HttpMethod.Get, path, host: $"rebind.example:{node.Rpc!.Split(':')[1]}");
            Assert.Equal(HttpStatusCode.MisdirectedRequest, foreignWithPort.StatusCode);
            using var anonymous = await rpc.SendAsync(HttpMethod.Get, path, auth: ":");
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var page = await rpc.SendAsync(HttpMethod.Get, "/", host: "localhost"))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
            Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        }

        // A POST without the page's token (what another site's form or script could send) changes nothing.
        var pause = $"/dashboard/torrents/{torrent.InfoHash}/pause";
        using (var forged = await rpc.SendAsync(HttpMethod.Post, pause, "{}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);
            Assert.Contains("X-Dashboard-Token", await forged.Content.ReadAsStringAsync());
        }

        using (var foreignPost = await rpc.SendAsync(HttpMethod.Post, pause, "{}", host: "rebind.example"))
        {
            Assert.Equal(HttpStatusCode.MisdirectedRequest, foreignPost.StatusCode);
        }

        Assert.NotEqual(0, (int)(await rpc.TorrentsAsync("status")).Single()!["status"]!);

        // The token the event stream hands the page makes the same POST act.
        var token = await ReadTokenAsync(node.Rpc!);
        using (var request = new HttpRequestMessage(HttpMethod.Post, rpc.BaseUrl + pause) { Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json") })
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Credentials)));
            request.Headers.Add("X-Dashboard-Token", token);
            using var http = new HttpClient { Timeout = Timeouts.Reject };
            using var answer = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        await WaitForStatusAsync(rpc, torrent.InfoHash, 0);
    }

    /// <summary>The first event of /dashboard/events: the token its POSTs need.</summary>
    private static async Task<string> ReadTokenAsync(string endPoint)
    {
        using var http = new HttpClient { Timeout = Timeouts.Reject };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{endPoint}/dashboard/events");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Credentials)));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var eventName = string.Empty;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (eventName == "token" && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return line["data: ".Length..];
            }
        }

        throw new InvalidOperationException("the event stream ended without a token");
    }

    private static Task<JsonObject> WaitForStatusAsync(TransmissionRpcClient rpc, string infoHash, int status) =>
        Poll.UntilAsync(
            async () => (await rpc.TorrentsAsync("hashString", "status")).SingleOrDefault(t => (string)t!["hashString"]! == infoHash)?.AsObject(),
            t => (int)t["status"]! == status,
            Settle,
            TimeSpan.FromMilliseconds(300),
            t => $"{infoHash} never reached status {status}: {t?.ToJsonString()}");
}
