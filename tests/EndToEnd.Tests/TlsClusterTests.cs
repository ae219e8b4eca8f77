using System.Diagnostics;
using System.Text.Json;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>`swarm node` members on separate Linux network namespaces (10.77.0.x exists only inside them, joined by a
/// bridge in a namespace of its own), speaking mutual TLS: they form a cluster and repair it after kill -9; a member
/// from another CA, a console without a certificate or the secret, and a plain foreign actor system get nothing.</summary>
public sealed class TlsClusterTests(ITestOutputHelper log) : EndToEndTest(log)
{
    /// <summary>Failure detection (~5 s), the split-brain resolver (5 s), the replication delay (3 s) and a copy, on a
    /// loaded machine; the measured time is printed.</summary>
    private static readonly TimeSpan RestoreBound = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(150);
    private const string Secret = "correct horse";
    private const string Password = "pfx password";

    [Fact]
    public async Task Three_members_with_mutual_tls_form_a_cluster_and_a_killed_copy_is_restored()
    {
        var lab = await NetworkLab.CreateAsync(this, "a", "b", "c", "k");
        var ca = await InitCaAsync("ca");
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log);

        var a = await StartMemberAsync(lab, "a", ca);
        Assert.Equal($"{lab.Ip("a")}:4060", a.Cluster);
        var b = await StartMemberAsync(lab, "b", ca, "--seed-node", a.Cluster);
        var c = await StartMemberAsync(lab, "c", ca, "--seed-node", a.Cluster);
        var console = await ConsoleConfigAsync(ca, "console");
        await WaitForMembersAsync(lab, a, console, 3);
        Assert.Contains(a.Process.Stderr, l => l.Contains("akka.ssl.tcp://swarm@", StringComparison.Ordinal));

        // R = 2 (the default): a seeds, and the cluster copies it to b or c over the bridge.
        (await ConsoleAsync(lab, a, console, Secret, "add", torrent.TorrentPath, "-o", torrent.Content.Parent)).EnsureSuccess();
        var copies = await WaitForClusterTorrentAsync(lab, a, console, torrent.InfoHash, t => Complete(t) == 2, Settle);
        var holder = Members(copies).Single(m => !m.EndsWith(a.Cluster, StringComparison.Ordinal));
        var (victim, survivor) = holder.EndsWith(b.Cluster, StringComparison.Ordinal) ? (b, c) : (c, b);
        torrent.AssertDownloadedTo(Path.Combine(victim.DataDir, "downloads", "replicas", torrent.InfoHash));

        await victim.Process.SignalAsync("KILL");
        var watch = Stopwatch.StartNew();
        await WaitForClusterTorrentAsync(lab, a, console, torrent.InfoHash, t => Complete(t) == 2 && Members(t).Any(m => m.EndsWith(survivor.Cluster, StringComparison.Ordinal)), RestoreBound);
        Log.WriteLine($"2 complete copies restored {watch.Elapsed.TotalSeconds:0.0} s after kill -9 (bound {RestoreBound.TotalSeconds:0} s)");
        torrent.AssertDownloadedTo(Path.Combine(survivor.DataDir, "downloads", "replicas", torrent.InfoHash));
    }

    [Fact]
    public async Task A_member_of_another_ca_consoles_without_certificate_or_secret_and_a_plain_actor_system_are_refused()
    {
        var lab = await NetworkLab.CreateAsync(this, "a", "x", "k", "o");
        var ca = await InitCaAsync("ca");
        var otherCa = await InitCaAsync("other-ca");
        var a = await StartMemberAsync(lab, "a", ca);
        var console = await ConsoleConfigAsync(ca, "console");

        // A member whose certificate another CA issued never gets in: the handshake fails (each side judges the
        // other's certificate by its own CA, and whichever judges first closes the channel, so the refusal is logged
        // by the stranger or by a), and a's membership stays its own.
        var stranger = await StartMemberProcessAsync(lab, "x", otherCa, "--seed-node", a.Cluster);
        // It stops with one line instead of restarting its cluster system in a loop (a supervisor retries at its pace).
        Assert.Equal(1, await stranger.WaitForExitAsync(Settle));
        static bool Refusal(string l) => l.Contains("TLS: refused", StringComparison.Ordinal) && l.Contains("does not chain to our CA", StringComparison.Ordinal);
        await Poll.UntilAsync(
            () => Task.FromResult(stranger.Stderr.Any(Refusal) || a.Process.Stderr.Any(Refusal)),
            seen => seen,
            Settle,
            TimeSpan.FromMilliseconds(100),
            _ => "neither the stranger nor a logged the certificate it refused");
        Assert.Contains(stranger.Stderr, l => l.Contains("never joined the cluster through its seed nodes", StringComparison.Ordinal));
        Assert.True(stranger.Stdout.Count(l => l.StartsWith("console ", StringComparison.Ordinal)) <= 1, string.Join(" | ", stranger.Stdout));
        await WaitForMembersAsync(lab, a, console, 1);
        Assert.DoesNotContain(a.Process.Stderr, l => l.Contains(lab.Ip("x"), StringComparison.Ordinal) && l.Contains("is up", StringComparison.Ordinal));

        // The console from another namespace: the certificate and the secret, both needed.
        var status = (await ConsoleAsync(lab, a, console, Secret, "status")).EnsureSuccess();
        Assert.Contains(status.Stdout, l => l.StartsWith("node ", StringComparison.Ordinal));
        var noCertificate = await ConsoleAsync(lab, a, null, Secret, "status");
        Assert.Equal(3, noCertificate.ExitCode);
        Assert.Contains("give this console a certificate", noCertificate.StderrText);
        var noSecret = await ConsoleAsync(lab, a, console, null, "status");
        Assert.Equal(4, noSecret.ExitCode);
        Assert.Contains("requires a console secret", noSecret.StderrText);
        var foreignCertificate = await ConsoleAsync(lab, a, await ConsoleConfigAsync(otherCa, "stranger-console"), Secret, "status");
        Assert.Equal(3, foreignCertificate.ExitCode);

        // A plain cluster address beyond loopback does not start without the operator's word.
        var open = Dir.File("open.conf");
        await File.WriteAllTextAsync(open, $"swarm.cluster.hostname = \"{lab.Ip("o")}\"\n");
        var refused = await lab.RunAsync("o", Timeouts.Start, SwarmCli.CommandLine("node", "--config", open, "--port", "0", "--console-port", "0", "--data-dir", StateDir("refused")));
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("beyond loopback without TLS", Assert.Single(refused.Stderr));

        // With it, a plain node answers a foreign actor system: the probe can reach what is not protected...
        await File.AppendAllTextAsync(open, "swarm.cluster.insecure = on\n");
        var plain = Own(lab.Start("o", "swarm node o", SwarmCli.CommandLine("node", "--config", open, "--port", "0", "--console-port", "0", "--data-dir", StateDir("o"))));
        var plainCluster = (await plain.WaitForLineAsync("cluster ", Timeouts.Start))["cluster ".Length..].Trim();
        // ...while nothing on a's cluster or console port answers it, whatever the path.
        var probe = await ProbeAsync(
            lab,
            "k",
            $"akka.tcp://swarm@{plainCluster}/user/node",
            $"akka.tcp://swarm@{a.Cluster}/user/node",
            $"akka.tcp://swarm@{a.Cluster}/system/cluster/core/daemon",
            $"akka.tcp://swarm@{a.Cluster}/user",
            $"akka.tcp://swarm-console@{a.Console}/user/console");
        Assert.Equal([$"identified akka.tcp://swarm@{plainCluster}/user/node"], probe.Where(l => l.StartsWith("identified ", StringComparison.Ordinal)));
        Assert.Equal(4, probe.Count(l => l.StartsWith("unanswered ", StringComparison.Ordinal)));
    }

    private static int Complete(JsonElement torrent) => torrent.GetProperty("complete").GetInt32();

    private static IEnumerable<string> Members(JsonElement torrent) => torrent.GetProperty("members").EnumerateArray().Select(m => m.GetString()!);

    /// <summary>`swarm tls init DIR`.</summary>
    private async Task<string> InitCaAsync(string name)
    {
        var dir = Dir.File(name);
        var init = (await SwarmCli.RunAsync(Log, Timeouts.Start, "tls", "init", dir)).EnsureSuccess();
        Assert.Contains($"ca {dir}/ca.pem", init.Stdout);
        return dir;
    }

    /// <summary>`swarm tls issue` with the password from SWARM_TLS_PASSWORD.</summary>
    private async Task<string> IssueAsync(string ca, string name, params string[] ips)
    {
        var pfx = Dir.File($"{Path.GetFileName(ca)}-{name}.pfx");
        string[] args = ["tls", "issue", "--ca", ca, "--name", name, .. ips.SelectMany(ip => new[] { "--ip", ip }), "-o", pfx];
        var environment = new Dictionary<string, string?> { ["SWARM_TLS_PASSWORD"] = Password };
        var (fileName, rest) = (SwarmCli.CommandLine(args)[0], SwarmCli.CommandLine(args).Skip(1));
        (await Command.RunAsync("swarm tls issue", fileName, rest, Timeouts.Start, Log, environment: environment)).EnsureSuccess();
        return pfx;
    }

    private async Task<string> ConsoleConfigAsync(string ca, string name)
    {
        var file = Dir.File($"{Path.GetFileName(ca)}-{name}.conf");
        await File.WriteAllTextAsync(file, $"swarm.tls {{ certificate = \"{await IssueAsync(ca, name)}\", ca = \"{ca}/ca.pem\", password = \"{Password}\" }}\n");
        return file;
    }

    private async Task<Member> StartMemberAsync(NetworkLab lab, string host, string ca, params string[] extra)
    {
        var process = await StartMemberProcessAsync(lab, host, ca, extra);
        var console = (await process.WaitForLineAsync("console ", Timeouts.Start))["console ".Length..].Trim();
        var cluster = (await process.WaitForLineAsync("cluster ", Timeouts.Start))["cluster ".Length..].Trim();
        return new Member(process, console, cluster, StateDir(host));
    }

    private async Task<ManagedProcess> StartMemberProcessAsync(NetworkLab lab, string host, string ca, params string[] extra)
    {
        var ip = lab.Ip(host);
        var config = Dir.File($"{host}.conf");
        await File.WriteAllTextAsync(config, $$"""
            swarm.cluster { hostname = "{{ip}}", join-warning-after = 10s }
            swarm.console { hostname = "{{ip}}", secret = "{{Secret}}" }
            swarm.tls { certificate = "{{await IssueAsync(ca, host, ip)}}", ca = "{{ca}}/ca.pem", password = "{{Password}}" }
            """);
        return Own(lab.Start(host, $"swarm node {host}", SwarmCli.CommandLine(["node", "--config", config, "--port", "0", "--data-dir", StateDir(host), .. extra])));
    }

    /// <summary>`swarm console` run from the console's own namespace ("k"), with the given --config and --secret.</summary>
    private Task<CommandResult> ConsoleAsync(NetworkLab lab, Member node, string? config, string? secret, params string[] args)
    {
        List<string> command = ["console", "--node", node.Console];
        if (config is not null)
        {
            command.AddRange(["--config", config]);
        }

        if (secret is not null)
        {
            command.AddRange(["--secret", secret]);
        }

        return lab.RunAsync("k", Timeouts.Start, SwarmCli.CommandLine([.. command, .. args]));
    }

    /// <summary>A console poll on a loaded machine: one that hangs past its bound is one more try, not the verdict.</summary>
    private async Task<CommandResult?> PollConsoleAsync(NetworkLab lab, Member node, string console, params string[] args)
    {
        try
        {
            return await ConsoleAsync(lab, node, console, Secret, args);
        }
        catch (TimeoutException e)
        {
            Log.WriteLine(e.Message);
            return null;
        }
    }

    /// <summary>The foreign actor system (<see cref="StartupHook"/>) run in <paramref name="host"/>'s namespace.</summary>
    private async Task<IReadOnlyList<string>> ProbeAsync(NetworkLab lab, string host, params string[] paths)
    {
        var assembly = typeof(TlsClusterTests).Assembly.Location;
        var dotnet = SwarmCli.CommandLine()[0];
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_STARTUP_HOOKS"] = assembly,
            [StartupHook.PathsVariable] = string.Join(';', paths),
            [StartupHook.HostVariable] = lab.Ip(host),
        };
        var result = await lab.RunAsync(host, Timeouts.Start + Timeouts.Start, [dotnet, "exec", assembly], environment);
        Assert.Equal(0, result.ExitCode);
        var lines = result.Stdout.Where(l => l.StartsWith("identified ", StringComparison.Ordinal) || l.StartsWith("unanswered ", StringComparison.Ordinal)).ToList();
        Assert.Equal(paths.Length, lines.Count);
        return lines;
    }

    private Task WaitForMembersAsync(NetworkLab lab, Member node, string console, int up) =>
        Poll.UntilAsync(
            async () => await PollConsoleAsync(lab, node, console, "cluster", "--json") is { ExitCode: 0 } result
                ? JsonDocument.Parse(result.StdoutText).RootElement.GetProperty("members").Clone()
                : (JsonElement?)null,
            members => members!.Value.EnumerateArray().Count(m => m.GetProperty("status").GetString() == "up" && m.GetProperty("reachable").GetBoolean()) == up && members.Value.GetArrayLength() == up,
            Settle,
            TimeSpan.FromSeconds(1),
            last => $"never saw {up} member(s) up within {Settle.TotalSeconds:0} s; last view: {last}");

    private async Task<JsonElement> WaitForClusterTorrentAsync(NetworkLab lab, Member node, string console, string infoHash, Func<JsonElement, bool> done, TimeSpan timeout) =>
        (await Poll.UntilAsync(
            async () => await PollConsoleAsync(lab, node, console, "torrents", "--cluster", "--json") is { ExitCode: 0 } result
                ? JsonDocument.Parse(result.StdoutText).RootElement.GetProperty("torrents").EnumerateArray()
                    .Where(t => t.GetProperty("infoHash").GetString() == infoHash)
                    .Select(t => (JsonElement?)t.Clone())
                    .FirstOrDefault()
                : null,
            t => done(t!.Value),
            timeout,
            TimeSpan.FromSeconds(1),
            last => $"the cluster view never reached the expected state for {infoHash} within {timeout.TotalSeconds:0} s; last: {last?.ToString() ?? "not listed"}"))!.Value;

    private sealed record Member(ManagedProcess Process, string Console, string Cluster, string DataDir);

    /// <summary>Network namespaces made for one test: one per host with 10.77.0.N on a veth whose other end is on a
    /// bridge in a namespace of its own, so that no address exists outside them. Names are unique per run; disposing
    /// kills whatever still runs inside and deletes them all, pass or fail.</summary>
    private sealed class NetworkLab : IAsyncDisposable
    {
        private static readonly TimeSpan IpTimeout = TimeSpan.FromSeconds(30);
        private readonly ITestOutputHelper _log;
        private readonly string _id = Guid.NewGuid().ToString("N")[..6];
        private readonly List<string> _namespaces = [];
        private readonly Dictionary<string, int> _hosts = [];

        private NetworkLab(ITestOutputHelper log) => _log = log;

        private string Hub => $"sw{_id}hub";

        public static async Task<NetworkLab> CreateAsync(TlsClusterTests test, params string[] hosts)
        {
            var lab = test.Own(new NetworkLab(test.Log));
            await lab.IpAsync("netns", "add", lab.Hub);
            lab._namespaces.Add(lab.Hub);
            await lab.IpAsync("-n", lab.Hub, "link", "add", "br0", "type", "bridge");
            await lab.IpAsync("-n", lab.Hub, "link", "set", "br0", "up");
            foreach (var host in hosts)
            {
                var ns = lab.Namespace(host);
                lab._hosts[host] = lab._hosts.Count + 2;
                await lab.IpAsync("netns", "add", ns);
                lab._namespaces.Add(ns);
                var (inside, onBridge) = ($"v{lab._id}{host}", $"p{lab._id}{host}");
                await lab.IpAsync("link", "add", inside, "netns", ns, "type", "veth", "peer", "name", onBridge, "netns", lab.Hub);
                await lab.IpAsync("-n", ns, "addr", "add", $"{lab.Ip(host)}/24", "dev", inside);
                await lab.IpAsync("-n", ns, "link", "set", inside, "up");
                await lab.IpAsync("-n", ns, "link", "set", "lo", "up");
                await lab.IpAsync("-n", lab.Hub, "link", "set", onBridge, "master", "br0");
                await lab.IpAsync("-n", lab.Hub, "link", "set", onBridge, "up");
            }

            return lab;
        }

        public string Ip(string host) => $"10.77.0.{_hosts[host]}";

        public ManagedProcess Start(string host, string name, IReadOnlyList<string> commandLine) =>
            ManagedProcess.Start(name, "ip", ["netns", "exec", Namespace(host), .. commandLine], _log);

        public Task<CommandResult> RunAsync(string host, TimeSpan timeout, IReadOnlyList<string> commandLine, IReadOnlyDictionary<string, string?>? environment = null) =>
            Command.RunAsync($"{commandLine.LastOrDefault()} in {host}", "ip", ["netns", "exec", Namespace(host), .. commandLine], timeout, _log, environment: environment);

        public async ValueTask DisposeAsync()
        {
            foreach (var ns in Enumerable.Reverse(_namespaces))
            {
                var pids = await Command.RunAsync("ip netns pids", "ip", ["netns", "pids", ns], IpTimeout);
                foreach (var pid in pids.Stdout.Where(p => int.TryParse(p, out _)))
                {
                    try
                    {
                        Process.GetProcessById(int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture)).Kill(entireProcessTree: true);
                    }
                    catch (ArgumentException)
                    {
                        // Gone already.
                    }
                }

                var deleted = await Command.RunAsync("ip netns del", "ip", ["netns", "del", ns], IpTimeout);
                if (deleted.ExitCode != 0)
                {
                    _log.WriteLine($"could not delete network namespace {ns}: {deleted.StderrText}");
                }
            }
        }

        private string Namespace(string host) => $"sw{_id}{host}";

        private async Task IpAsync(params string[] args) =>
            (await Command.RunAsync("ip " + string.Join(' ', args), "ip", args, IpTimeout)).EnsureSuccess();
    }
}
