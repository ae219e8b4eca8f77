using System.Diagnostics;
using System.Text.Json;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>Separate `swarm node` processes on loopback forming one Akka.Cluster: gossiped availability as the only
/// peer source, adding by info-hash, resilient seeding through kill -9, SIGSTOP and restarts.</summary>
public sealed class ClusterTests(ITestOutputHelper log) : EndToEndTest(log)
{
    /// <summary>Failure detection (~5 s), the split-brain resolver's stable-after (5 s), the replication delay (3 s)
    /// and a 3 MiB copy fit well inside this; the measured time is printed.</summary>
    private static readonly TimeSpan RestoreBound = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_torrent_on_one_member_is_seen_by_all_and_fetched_by_info_hash_alone()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        // Replication factor 1: no copy is made unless asked, so this test sees only what it does itself.
        var config = Config("swarm.cluster.replication-factor = 1");
        var (a, b, c) = await StartThreeAsync(config);

        (await a.ConsoleAsync("add", torrent.TorrentPath, "-o", torrent.Content.Parent)).EnsureSuccess();
        await a.WaitForStateAsync(torrent.InfoHash, "seeding", Settle);
        var watch = Stopwatch.StartNew();
        foreach (var member in new[] { a, b, c })
        {
            await WaitForClusterTorrentAsync(member, torrent.InfoHash, t => t.GetProperty("complete").GetInt32() == 1);
        }

        Log.WriteLine($"gossip converged on all 3 members {watch.Elapsed.TotalSeconds:0.0} s after the torrent was seeding");
        var members = await a.JsonAsync("cluster");
        Assert.Equal(3, members.GetProperty("members").EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up"));

        // No tracker in the torrent, no --peer: the info-hash and the cluster are all b has.
        var downloads = Dir.Sub("b-downloads");
        var added = (await b.ConsoleAsync("add", torrent.InfoHash, "-o", downloads)).EnsureSuccess();
        Assert.Contains("from the cluster", added.StdoutText);
        await b.WaitForStateAsync(torrent.InfoHash, "seeding", Settle);
        torrent.AssertDownloadedTo(downloads);
        await WaitForClusterTorrentAsync(c, torrent.InfoHash, t => t.GetProperty("complete").GetInt32() == 2);

        // A bare magnet link (no tracker, no x.pe) on c: the cluster has the torrent, so that is where it comes from.
        var viaMagnet = Dir.Sub("c-downloads");
        var magnet = (await c.ConsoleAsync("add", $"magnet:?xt=urn:btih:{torrent.InfoHash}", "-o", viaMagnet)).EnsureSuccess();
        Assert.Contains("from the cluster (magnet link)", magnet.StdoutText);
        await c.WaitForStateAsync(torrent.InfoHash, "seeding", Settle);
        torrent.AssertDownloadedTo(viaMagnet);

        var unknown = await c.ConsoleAsync("add", new string('e', 40));
        Assertions.CleanRejection(unknown, expectedExitCode: 1);
        Assert.Contains("no reachable member of the cluster holds", unknown.StderrText);
    }

    [Fact]
    public async Task Search_from_any_member_finds_a_torrent_held_by_one_and_its_info_hash_fetches_it()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log);
        var (a, _, c) = await StartThreeAsync(Config("swarm.cluster.replication-factor = 1"));
        (await c.ConsoleAsync("add", torrent.TorrentPath, "-o", torrent.Content.Parent)).EnsureSuccess();
        await WaitForClusterTorrentAsync(a, torrent.InfoHash, t => t.GetProperty("complete").GetInt32() == 1);

        // Words match the name or file names ("sub/deeper/gamma.bin"), all of them, case-insensitively.
        var found = await SwarmCli.RunAsync(Log, Timeouts.Reject, "search", "GAMMA", "deeper", "--node", a.Console, "--json");
        var hit = Assert.Single(JsonDocument.Parse(found.EnsureSuccess().StdoutText).RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(torrent.InfoHash, hit.GetProperty("infoHash").GetString());
        Assert.Equal(1, hit.GetProperty("copies").GetInt32());
        Assert.EndsWith(c.Cluster, Assert.Single(hit.GetProperty("members").EnumerateArray()).GetString());
        var none = await a.JsonAsync("search", "gamma", "nowhere");
        Assert.Equal(0, none.GetProperty("results").GetArrayLength());

        var downloads = Dir.Sub("a-downloads");
        (await a.ConsoleAsync("add", hit.GetProperty("infoHash").GetString()!, "-o", downloads)).EnsureSuccess();
        await a.WaitForStateAsync(torrent.InfoHash, "seeding", Settle);
        torrent.AssertDownloadedTo(downloads);
        var twice = await a.JsonAsync("search", "folder");
        Assert.Equal(2, Assert.Single(twice.GetProperty("results").EnumerateArray()).GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task A_tracker_on_one_member_answers_with_the_members_holding_the_torrent()
    {
        var config = Config("swarm.cluster.replication-factor = 1");
        var tracking = Config("swarm.cluster.replication-factor = 1\nswarm.tracker-server { in-node = on, http-port = 0, udp-port = -1 }");
        var a = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("a"), "--config", tracking));
        var trackerUrl = (await a.Process.WaitForLineAsync("http ", Timeouts.Start))["http ".Length..].Trim();
        var c = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("c"), "--config", config, "--seed-node", a.Cluster));
        await WaitForMembersAsync(a, (up, all) => up == 2, "2 members up");

        // c holds a torrent that names no tracker: only the gossip tells a's tracker that c has it.
        var plain = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var trackedPath = Path.Combine(Dir.Path, "tracked.torrent");
        var tracked = await MkTorrent.CreateAsync(plain.Content.Path, trackedPath, Log, trackerUrl);
        Assert.Equal(plain.InfoHash, tracked.InfoHash);
        (await c.ConsoleAsync("add", plain.TorrentPath, "-o", plain.Content.Parent)).EnsureSuccess();
        await WaitForClusterTorrentAsync(a, plain.InfoHash, t => t.GetProperty("complete").GetInt32() == 1);

        // A real client given only the tracker finds c through it.
        var outDir = Dir.Sub("lt");
        var leecher = Own(Libtorrent.StartGet(Log, trackedPath, outDir, FreePort.Next()));
        await Libtorrent.WaitForCompleteAsync(leecher);
        plain.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Killing_a_member_with_a_copy_is_repaired_and_the_member_rejoins_without_downloading_again()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var (a, b, c) = await StartThreeAsync(null);

        // R = 2 (the default): a seeds, and the cluster makes a second complete copy on b or c by itself.
        (await a.ConsoleAsync("add", torrent.TorrentPath, "-o", torrent.Content.Parent)).EnsureSuccess();
        var copies = await WaitForClusterTorrentAsync(a, torrent.InfoHash, t => t.GetProperty("complete").GetInt32() == 2);
        var holderAddress = copies.GetProperty("members").EnumerateArray().Select(m => m.GetString()!).Single(m => !m.EndsWith(a.Cluster, StringComparison.Ordinal));
        var (victim, survivor) = holderAddress.EndsWith(b.Cluster, StringComparison.Ordinal) ? (b, c) : (c, b);
        // Each replica in a folder of its own (swarm.files.replica-folder).
        var victimCopy = Path.Combine(victim.DataDir, "downloads", "replicas", torrent.InfoHash);
        torrent.AssertDownloadedTo(victimCopy);

        await victim.Process.SignalAsync("KILL");
        var watch = Stopwatch.StartNew();
        await WaitForClusterTorrentAsync(
            a,
            torrent.InfoHash,
            t => t.GetProperty("complete").GetInt32() == 2 && t.GetProperty("members").EnumerateArray().Any(m => m.GetString()!.EndsWith(survivor.Cluster, StringComparison.Ordinal)),
            RestoreBound);
        Log.WriteLine($"2 complete copies restored {watch.Elapsed.TotalSeconds:0.0} s after kill -9 (bound {RestoreBound.TotalSeconds:0} s)");
        torrent.AssertDownloadedTo(Path.Combine(survivor.DataDir, "downloads", "replicas", torrent.InfoHash));

        // The killed member comes back with its data folder: it rejoins, recovers from its journal, fetches nothing.
        var back = Own(await SwarmNodeProcess.StartAsync(Log, victim.DataDir, "--seed-node", a.Cluster));
        var recovered = await back.WaitForStateAsync(torrent.InfoHash, "seeding", Settle);
        Assert.Equal(0, recovered.GetProperty("downloaded").GetInt64());
        await WaitForClusterTorrentAsync(a, torrent.InfoHash, t => t.GetProperty("complete").GetInt32() == 3);
        Assert.Contains(back.Process.Stderr, l => l.Contains("resumed", StringComparison.Ordinal) && l.Contains("from the journal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_lowered_factor_releases_the_copy_the_cluster_made_and_keeps_the_one_a_person_added()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var (a, b, c) = await StartThreeAsync(Config("swarm.cluster.release-surplus-after = 2s"));
        (await a.ConsoleAsync("add", torrent.TorrentPath, "-o", torrent.Content.Parent)).EnsureSuccess();
        var copies = await WaitForClusterTorrentAsync(a, torrent.InfoHash, t => t.GetProperty("complete").GetInt32() == 2);
        var holder = copies.GetProperty("members").EnumerateArray().Select(m => m.GetString()!).Single(m => !m.EndsWith(a.Cluster, StringComparison.Ordinal));
        var replica = holder.EndsWith(b.Cluster, StringComparison.Ordinal) ? b : c;
        var replicaFile = Path.Combine(replica.DataDir, "downloads", "replicas", torrent.InfoHash, Payload.SingleName);
        Assert.True(File.Exists(replicaFile));
        Assert.True((await replica.TorrentAsync(torrent.InfoHash))!.Value.GetProperty("replica").GetBoolean());
        Assert.False((await a.TorrentAsync(torrent.InfoHash))!.Value.GetProperty("replica").GetBoolean());

        (await a.ConsoleAsync("replicas", torrent.InfoHash[..8], "1")).EnsureSuccess();
        var one = await WaitForClusterTorrentAsync(a, torrent.InfoHash, t => t.GetProperty("complete").GetInt32() == 1);
        Assert.EndsWith(a.Cluster, Assert.Single(one.GetProperty("members").EnumerateArray()).GetString()!, StringComparison.Ordinal);
        await Poll.UntilAsync(() => Task.FromResult(!File.Exists(replicaFile)), gone => gone, Settle, TimeSpan.FromMilliseconds(200), _ => $"{replicaFile} was not deleted");
        Assert.Null(await replica.TorrentAsync(torrent.InfoHash));
        Assert.Contains(replica.Process.Stderr, l => l.Contains("this member releases its copy", StringComparison.Ordinal));
        torrent.AssertDownloadedTo(torrent.Content.Parent);
    }

    [Fact]
    public async Task A_member_paused_past_its_removal_restarts_itself_and_rejoins()
    {
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);
        var config = Config("swarm.cluster.replication-factor = 1");
        var (a, b, c) = await StartThreeAsync(config);
        (await c.ConsoleAsync("add", torrent.TorrentPath, "-o", torrent.Content.Parent)).EnsureSuccess();
        await WaitForClusterTorrentAsync(a, torrent.InfoHash, t => t.GetProperty("complete").GetInt32() == 1);

        await c.Process.SignalAsync("STOP");
        await WaitForMembersAsync(a, (up, all) => all == 2, "c removed (not only unreachable) after SIGSTOP");
        await c.Process.SignalAsync("CONT");

        // Downed while frozen, it notices on waking, restarts in the same process and joins again with its torrent.
        await c.Process.WaitForLineAsync(l => l.StartsWith("console ", StringComparison.Ordinal) && !l.EndsWith(c.Console, StringComparison.Ordinal), "a second console line", Settle);
        Assert.Contains(c.Process.Stderr, l => l.Contains("removed from the cluster", StringComparison.Ordinal));
        await WaitForMembersAsync(a, (up, all) => up == 3, "c back as a member");
        await WaitForClusterTorrentAsync(b, torrent.InfoHash, t => t.GetProperty("complete").GetInt32() == 1);
    }

    [Fact]
    public async Task A_node_with_another_cluster_name_is_not_let_in_and_says_why()
    {
        var a = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("a")));
        var other = Config("swarm.cluster.name = \"elsewhere\"\nswarm.cluster.join-warning-after = 5s");
        var stranger = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("stranger"), "--config", other, "--seed-node", a.Cluster));
        await stranger.Process.WaitForStderrLineAsync(l => l.Contains("not a cluster member after", StringComparison.Ordinal), "the join warning", Settle);

        Assert.Contains(stranger.Process.Stderr, l => l.Contains("not a cluster member after 5 s", StringComparison.Ordinal) && l.Contains("same cluster name ('elsewhere')", StringComparison.Ordinal));
        Assert.Equal(1, (await a.JsonAsync("cluster")).GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task A_node_speaking_another_protocol_version_is_refused_and_exits_instead_of_rejoining()
    {
        var a = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("a")));
        var newer = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("newer"), "--config", Config("swarm.cluster.protocol-version = 2"), "--seed-node", a.Cluster));

        // The newcomer is the one refused: it says why and exits with 1, instead of restarting to rejoin.
        Assert.Equal(1, await newer.Process.WaitForExitAsync(Settle));
        Assert.Contains(newer.Process.Stderr, l => l.Contains("refused by the cluster", StringComparison.Ordinal) && l.Contains("speaks swarm cluster protocol 1, this node 2", StringComparison.Ordinal));
        Assert.DoesNotContain(newer.Process.Stderr, l => l.Contains("restarting to rejoin", StringComparison.Ordinal));
        // The newcomer may leave before its own gossip entry reaches a, so a's side is its membership, not a log line.
        await WaitForMembersAsync(a, (up, all) => all == 1, "the refused node gone");
    }

    private string Config(string hocon)
    {
        var path = Path.Combine(Dir.Path, $"cluster-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, hocon + "\n");
        return path;
    }

    private async Task<(SwarmNodeProcess A, SwarmNodeProcess B, SwarmNodeProcess C)> StartThreeAsync(string? config)
    {
        string[] extra = config is null ? [] : ["--config", config];
        var a = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("a"), extra));
        var b = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("b"), [.. extra, "--seed-node", a.Cluster]));
        var c = Own(await SwarmNodeProcess.StartAsync(Log, StateDir("c"), [.. extra, "--seed-node", a.Cluster]));
        await WaitForMembersAsync(a, (up, all) => up == 3, "3 members up");
        return (a, b, c);
    }

    /// <summary>Polls `cluster --json` until <paramref name="counts"/>(members up and reachable, all members listed) holds.</summary>
    private static Task WaitForMembersAsync(SwarmNodeProcess node, Func<int, int, bool> counts, string what) =>
        Poll.UntilAsync(
            async () => await node.ConsoleAsync("cluster", "--json") is { ExitCode: 0 } result
                ? JsonDocument.Parse(result.StdoutText).RootElement.GetProperty("members").Clone()
                : (JsonElement?)null,
            members => counts(members!.Value.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("reachable").GetBoolean()), members.Value.GetArrayLength()),
            Settle,
            TimeSpan.FromMilliseconds(500),
            last => $"never saw {what} within {Settle.TotalSeconds:0} s; last view: {last}");

    private static async Task<JsonElement> WaitForClusterTorrentAsync(SwarmNodeProcess node, string infoHash, Func<JsonElement, bool> done, TimeSpan? timeout = null) =>
        (await Poll.UntilAsync(
            async () => await node.ConsoleAsync("torrents", "--cluster", "--json") is { ExitCode: 0 } result
                ? JsonDocument.Parse(result.StdoutText).RootElement.GetProperty("torrents").EnumerateArray()
                    .Where(t => t.GetProperty("infoHash").GetString() == infoHash)
                    .Select(t => (JsonElement?)t.Clone())
                    .FirstOrDefault()
                : null,
            t => done(t!.Value),
            timeout ?? Settle,
            TimeSpan.FromMilliseconds(500),
            last => $"the cluster view of {node.Console} never reached the expected state for {infoHash} within {(timeout ?? Settle).TotalSeconds:0} s; last: {last?.ToString() ?? "not listed"}"))!.Value;
}
