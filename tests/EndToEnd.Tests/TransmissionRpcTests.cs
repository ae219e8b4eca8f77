using System.Net;
using System.Text.Json.Nodes;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>The node's HTTP surface with real clients: Debian's transmission-remote over the Transmission RPC,
/// promtool over /metrics, raw HTTP for the handshake, the Host allow-list and Basic auth, and the watch folder.</summary>
public sealed class TransmissionRpcTests(ITestOutputHelper log) : EndToEndTest(log)
{
    private const string TransmissionRemote = "/usr/bin/transmission-remote";
    private const string Promtool = "/usr/bin/promtool";
    private const string Credentials = "alice:open sesame";
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Transmission_remote_adds_lists_stops_starts_verifies_and_removes_with_data()
    {
        var (tracker, torrent) = await CreateTrackedTorrentAsync(PayloadKind.MultiFile);
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next()));
        await tracker.WaitForSeederAsync(torrent.InfoHash);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node"), "--config", await CredentialsConfigAsync()));
        using var rpc = new TransmissionRpcClient(node.Rpc!, Credentials);
        var outDir = Dir.Sub("out");

        (await RemoteAsync(node, "-a", torrent.TorrentPath, "-w", outDir)).EnsureSuccess();
        var listed = (await RemoteAsync(node, "-l")).EnsureSuccess();
        Assert.Contains(torrent.Content.Name, listed.StdoutText);
        var id = (int)(await rpc.TorrentsAsync("id", "hashString")).Single()!["id"]!;

        // The libtorrent seeder completes it: seeding (6), all of it verified, the bytes on disk the seeder's.
        var done = await WaitForStatusAsync(rpc, 6, Timeouts.Transfer);
        Assert.Equal(1.0, (double)done["percentDone"]!);
        Assert.Equal(0, (long)done["leftUntilDone"]!);
        torrent.AssertDownloadedTo(outDir);
        var info = (await RemoteAsync(node, "-t", $"{id}", "-i")).EnsureSuccess();
        Assert.Contains($"Hash: {torrent.InfoHash}", info.StdoutText);
        Assert.Contains("Percent Done: 100%", info.StdoutText);

        (await RemoteAsync(node, "-t", $"{id}", "-S")).EnsureSuccess();
        Assert.Contains("Stopped", (await RemoteAsync(node, "-l")).EnsureSuccess().StdoutText);
        Assert.Equal(0, (int)(await rpc.TorrentsAsync("status")).Single()!["status"]!);

        (await RemoteAsync(node, "-t", $"{id}", "-s")).EnsureSuccess();
        await WaitForStatusAsync(rpc, 6, Settle);

        (await RemoteAsync(node, "-t", $"{id}", "-v")).EnsureSuccess();
        var verified = await WaitForStatusAsync(rpc, 6, Settle);
        Assert.Equal(1.0, (double)verified["percentDone"]!);

        var session = (await RemoteAsync(node, "-si")).EnsureSuccess();
        Assert.Contains("RPC version: 17", session.StdoutText);
        Assert.Contains("Daemon version: 4.0.6 (swarm", session.StdoutText);
        Assert.Contains($"Download directory: ", session.StdoutText);

        (await RemoteAsync(node, "-t", $"{id}", "--remove-and-delete")).EnsureSuccess();
        await Poll.UntilAsync(
            async () => await rpc.TorrentsAsync("id"),
            t => t.Count == 0,
            Settle,
            TimeSpan.FromMilliseconds(300),
            t => $"still listed: {t?.ToJsonString()}");
        await Poll.UntilAsync(
            () => Task.FromResult<object?>(Directory.Exists(Path.Combine(outDir, torrent.Content.Name)) ? null : "gone"),
            _ => true,
            Settle,
            TimeSpan.FromMilliseconds(300),
            _ => "the removed torrent's data is still on disk");
        Assert.DoesNotContain(torrent.Content.Name, (await RemoteAsync(node, "-l")).EnsureSuccess().StdoutText);

        // Without credentials the node answers 401, and transmission-remote says so.
        var refused = await Command.RunAsync("transmission-remote", TransmissionRemote, [node.Rpc!, "-l"], Timeouts.Reject, Log);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("401", refused.StdoutText + refused.StderrText);
        var wrong = await Command.RunAsync("transmission-remote", TransmissionRemote, [node.Rpc!, "-n", "alice:guess", "-l"], Timeouts.Reject, Log);
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("401", wrong.StdoutText + wrong.StderrText);
    }

    [Fact]
    public async Task The_rpc_asks_for_its_session_id_refuses_foreign_hosts_and_checks_credentials()
    {
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node"), "--config", await CredentialsConfigAsync()));
        using var rpc = new TransmissionRpcClient(node.Rpc!, Credentials);
        const string body = """{"method":"session-get","tag":7}""";

        using (var first = await rpc.SendAsync(HttpMethod.Post, "/transmission/rpc", body))
        {
            Assert.Equal(HttpStatusCode.Conflict, first.StatusCode);
            var id = first.Headers.GetValues("X-Transmission-Session-Id").Single();
            Assert.False(string.IsNullOrWhiteSpace(id));
        }

        var answer = await rpc.CallAsync("session-get");
        Assert.Equal("success", (string)answer["result"]!);
        Assert.Equal(17, (int)answer["arguments"]!["rpc-version"]!);
        Assert.StartsWith("4.0.6 (swarm ", (string)answer["arguments"]!["version"]!);

        // The same request with the session id: answered, tag echoed.
        using (var second = await rpc.SendAsync(HttpMethod.Post, "/transmission/rpc", body))
        {
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal(7, (int)JsonNode.Parse(await second.Content.ReadAsStringAsync())!["tag"]!);
        }

        // A name that is not ours (DNS rebinding) is refused on every surface, credentials or not.
        foreach (var path in new[] { "/transmission/rpc", "/metrics" })
        {
            using var foreign = await rpc.SendAsync(HttpMethod.Post, path, body, host: "rebind.example:9091");
            Assert.Equal(HttpStatusCode.MisdirectedRequest, foreign.StatusCode);
            using var foreignGet = await rpc.SendAsync(HttpMethod.Get, path, host: "rebind.example");
            Assert.Equal(HttpStatusCode.MisdirectedRequest, foreignGet.StatusCode);
        }

        using (var local = await rpc.SendAsync(HttpMethod.Get, "/metrics", host: "localhost"))
        {
            Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        }

        // Basic auth: none or a wrong password is 401 with a challenge; health probes need none.
        using (var none = await rpc.SendAsync(HttpMethod.Post, "/transmission/rpc", body, auth: ":"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Basic", none.Headers.WwwAuthenticate.Single().Scheme);
        }

        using (var wrong = await rpc.SendAsync(HttpMethod.Get, "/metrics", auth: "alice:guess"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var anonymous = new TransmissionRpcClient(node.Rpc!);
        using (var live = await anonymous.SendAsync(HttpMethod.Get, "/health/live"))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        using (var ready = await anonymous.SendAsync(HttpMethod.Get, "/health/ready"))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // The dashboard at `/` is served by this surface, behind the same checks (DashboardTests covers it).
        using (var root = await rpc.SendAsync(HttpMethod.Get, "/"))
        {
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        }

        // Beyond loopback without credentials the node does not start at all.
        var refused = await SwarmCli.RunAsync(Log, Timeouts.Start, "node", "--port", "0", "--console-port", "0", "--cluster-port", "0", "--rpc-port", "0", "--rpc-bind", "0.0.0.0", "--data-dir", StateDir("open"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("without credentials", refused.StderrText);
    }

    [Fact]
    public async Task Metrics_pass_promtool_and_count_the_torrents()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node")));
        using var rpc = new TransmissionRpcClient(node.Rpc!);
        var added = await rpc.CallAsync("torrent-add", new JsonObject
        {
            ["metainfo"] = Convert.ToBase64String(await File.ReadAllBytesAsync(torrent.TorrentPath)),
            ["download-dir"] = torrent.Content.Parent,
        });
        Assert.Equal("success", (string)added["result"]!);
        Assert.Equal(torrent.InfoHash, (string)added["arguments"]!["torrent-added"]!["hashString"]!);
        await WaitForStatusAsync(rpc, 6, Settle);

        using var response = await rpc.SendAsync(HttpMethod.Get, "/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType!.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("transmission_session_stats_torrents{type=\"all\"} 1", text);
        Assert.Contains($"transmission_torrent_status{{id=\"1\",name=\"{torrent.Content.Name}\",hash=\"{torrent.InfoHash}\"}} 6", text);
        Assert.Contains("swarm_cluster_members{status=\"up\",reachable=\"true\"} 1", text);
        Assert.Contains("swarm_cluster_under_replicated_torrents ", text);
        Assert.Contains("swarm_journal_up 1", text);

        var check = await Command.RunAsync("promtool", Promtool, ["check", "metrics"], Timeouts.Reject, Log, standardInput: text);
        Assert.True(check.ExitCode == 0, $"promtool check metrics failed:\n{check.StdoutText}\n{check.StderrText}");
    }

    [Fact]
    public async Task The_watch_folder_adds_dropped_files_and_renames_broken_ones()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var watch = Dir.Sub("watch");
        var node = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("node"), "--watch-dir", watch));
        using var rpc = new TransmissionRpcClient(node.Rpc!);

        var dropped = Path.Combine(watch, "dropped.torrent");
        File.Copy(torrent.TorrentPath, dropped);
        const string magnetHash = "0123456789abcdef0123456789abcdef01234567";
        await File.WriteAllTextAsync(Path.Combine(watch, "link.magnet"), $"magnet:?xt=urn:btih:{magnetHash}&dn=linked\n");
        await File.WriteAllTextAsync(Path.Combine(watch, "broken.torrent"), "d8:announce");
        await File.WriteAllTextAsync(Path.Combine(watch, "notes.txt"), "not a torrent");

        await Poll.UntilAsync(
            () => Task.FromResult<string[]?>(Directory.GetFiles(watch).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray()),
            names => names.SequenceEqual(["broken.torrent.invalid", "dropped.torrent.added", "link.magnet.added", "notes.txt"]),
            Settle,
            TimeSpan.FromMilliseconds(200),
            names => $"watch folder holds {string.Join(", ", names ?? [])}");

        var hashes = (await rpc.TorrentsAsync("hashString")).Select(t => (string)t!["hashString"]!).ToArray();
        Assert.Contains(torrent.InfoHash, hashes);
        Assert.Contains(magnetHash, hashes);
        await node.Process.WaitForStderrLineAsync(l => l.Contains("broken.torrent is not usable", StringComparison.Ordinal), "the watch folder's line about broken.torrent", Settle);

        // The same torrent dropped again is handled (renamed .added), not added twice.
        File.Copy(torrent.TorrentPath, Path.Combine(watch, "again.torrent"));
        await Poll.UntilAsync(
            () => Task.FromResult<string?>(File.Exists(Path.Combine(watch, "again.torrent.added")) ? "renamed" : null),
            _ => true,
            Settle,
            TimeSpan.FromMilliseconds(200),
            _ => "again.torrent was not renamed .added");
        Assert.Single(await rpc.TorrentsAsync("hashString"), t => (string)t!["hashString"]! == torrent.InfoHash);
    }

    private async Task<string> CredentialsConfigAsync()
    {
        var config = Path.Combine(Dir.Path, "rpc.conf");
        var (user, password) = (Credentials.Split(':')[0], Credentials.Split(':')[1]);
        await File.WriteAllTextAsync(config, $"swarm.rpc.username = \"{user}\"\nswarm.rpc.password = \"{password}\"\n");
        return config;
    }

    private Task<CommandResult> RemoteAsync(SwarmNodeProcess node, params string[] args) =>
        Command.RunAsync("transmission-remote", TransmissionRemote, [node.Rpc!, "-n", Credentials, .. args], Timeouts.Reject, Log);

    /// <summary>Polls torrent-get until the single torrent has Transmission status <paramref name="status"/>.</summary>
    private static Task<JsonObject> WaitForStatusAsync(TransmissionRpcClient rpc, int status, TimeSpan timeout) =>
        Poll.UntilAsync(
            async () => (await rpc.TorrentsAsync("id", "status", "percentDone", "leftUntilDone", "errorString")).SingleOrDefault()?.AsObject(),
            t => (int)t["status"]! == status,
            timeout,
            TimeSpan.FromMilliseconds(300),
            t => $"torrent never reached status {status}: {t?.ToJsonString()}");
}
