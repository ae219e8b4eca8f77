using System.Net.Sockets;
using System.Text;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>The `swarm` dotnet tool installs and runs; the systemd unit (deploy/systemd/swarm.service) passes
/// `systemd-analyze verify` with the installed tool as its command; the node says READY=1 on systemd's notify socket.</summary>
public sealed class DeployToolTests(InstalledTool tool, ITestOutputHelper log) : EndToEndTest(log), IClassFixture<InstalledTool>
{
    private static string Unit => Path.Combine(DeployBuild.Repo, "deploy", "systemd", "swarm.service");

    /// <summary>The unit's command, as the installation in README puts it.</summary>
    private const string UnitExecutable = "/opt/swarm/swarm";

    [Fact]
    public async Task The_installed_tool_prints_its_help()
    {
        var help = (await Command.RunAsync("swarm --help", tool.Swarm, ["--help"], Timeouts.Start, Log)).EnsureSuccess();
        Assert.Contains("Usage:", help.StdoutText);
        Assert.Contains("node", help.StdoutText);
        Assert.Contains("console", help.StdoutText);
    }

    [Fact]
    public async Task The_unit_passes_systemd_analyze_verify()
    {
        var text = await File.ReadAllTextAsync(Unit);
        Assert.Contains($"ExecStart={UnitExecutable} node ", text);
        // verify checks that ExecStart's program exists and is executable: the unit as installed with the tool at
        // this test's tool path, otherwise unchanged.
        var unit = Dir.File("swarm.service");
        await File.WriteAllTextAsync(unit, text.Replace($"ExecStart={UnitExecutable} ", $"ExecStart={tool.Swarm} ", StringComparison.Ordinal));

        var verified = await Verify(unit);
        Assert.True(verified.ExitCode == 0 && verified.Stderr.Count == 0 && verified.Stdout.Count == 0,
            $"systemd-analyze verify: exit {verified.ExitCode}\n{verified.StderrText}\n{verified.StdoutText}");
        foreach (var line in new[]
                 {
                     "Type=notify", "User=swarm", "StateDirectory=swarm", "ReadWritePaths=-/srv/swarm", "ProtectSystem=strict",
                     "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "CapabilityBoundingSet=",
                 })
        {
            Assert.Contains("\n" + line + "\n", text);
        }

        // The check can fail: a misspelt option is reported.
        var broken = Dir.File(Path.Combine("broken", "swarm.service"));
        Directory.CreateDirectory(Path.GetDirectoryName(broken)!);
        await File.WriteAllTextAsync(broken, File.ReadAllText(unit).Replace("ProtectSystem=strict", "ProtectSystem=strickt", StringComparison.Ordinal));
        var refused = await Verify(broken);
        Assert.True(refused.ExitCode != 0 || refused.Stderr.Count > 0, "systemd-analyze verify accepted ProtectSystem=strickt");
    }

    [Fact]
    public async Task The_node_tells_systemd_it_is_ready()
    {
        // systemd's side of Type=notify: a datagram socket named by NOTIFY_SOCKET, on which the node sends READY=1.
        var socketPath = Dir.File("notify");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));

        var node = Own(ManagedProcess.Start("swarm node (tool)", tool.Swarm,
            ["node", "--data-dir", StateDir("node"), "--bind", SwarmCli.Loopback, "--port", "0", "--console-port", "0", "--cluster-port", "0"],
            Log, environment: new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = socketPath }));

        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(Timeouts.Start);
        int received;
        try
        {
            received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no notification on NOTIFY_SOCKET within {Timeouts.Start.TotalSeconds:0} s\n{node.Describe()}");
        }

        var message = Encoding.UTF8.GetString(buffer, 0, received);
        Assert.Contains("READY=1", message.Split('\n'));
        // Ready means the actor system is up: the node goes on to open its console and report its addresses.
        await node.WaitForLineAsync("console ", Timeouts.Start);
        await node.WaitForLineAsync("journal ", Timeouts.Start);

        await node.SignalAsync("TERM");
        Assert.Equal(0, await node.WaitForExitAsync(Timeouts.Exit));
    }

    private Task<CommandResult> Verify(string unit) =>
        Command.RunAsync("systemd-analyze verify", "systemd-analyze", ["verify", unit], Timeouts.Reject, Log);
}
