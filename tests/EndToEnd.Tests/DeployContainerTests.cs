using System.Formats.Tar;
using System.Text.Json;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>The container image that deploy/container/build-image.py makes with the SDK: its configuration (user,
/// ports, volumes, entrypoint), and its file system run as a container runtime runs it.</summary>
public sealed class DeployContainerTests(BuiltImage image, ITestOutputHelper log) : EndToEndTest(log), IClassFixture<BuiltImage>
{
    [Fact]
    public void The_image_config_names_user_ports_volumes_and_entrypoint()
    {
        var config = image.Config.GetProperty("config");
        Assert.Equal(BuiltImage.User, config.GetProperty("User").GetString());
        Assert.Equal(["/app/swarm", "node", "--data-dir", "/var/lib/swarm"], Strings(config.GetProperty("Entrypoint")));
        Assert.Equal(["4050/tcp", "4060/tcp", "6881/tcp", "6881/udp", "9091/tcp"], config.GetProperty("ExposedPorts").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["/var/lib/swarm", "/var/lib/swarm/downloads", "/var/lib/swarm/watch"], config.GetProperty("Volumes").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("linux", image.Config.GetProperty("os").GetString());
    }

    [Fact]
    public async Task The_image_runs_its_entrypoint_as_its_user_and_keeps_state_in_its_volume()
    {
        var rootfs = Dir.Sub("rootfs");
        foreach (var layer in image.Layers)
        {
            // As root, ownership as the layers give it (the volumes' folders belong to the image's user).
            (await Command.RunAsync("tar -x layer", "tar", ["-xzf", layer, "-C", rootfs, "--same-owner", "--numeric-owner"], Timeouts.Start, Log)).EnsureSuccess();
        }

        // What a runtime does, less the network namespace: a mount and PID namespace (the entrypoint is PID 1), /proc
        // and /dev, the image's environment only, its user, its entrypoint followed by `docker run IMAGE ARGS`.
        var config = image.Config.GetProperty("config");
        var env = Strings(config.GetProperty("Env"));
        var entrypoint = Strings(config.GetProperty("Entrypoint"));
        var user = config.GetProperty("User").GetString()!;
        string[] args = ["--bind", SwarmCli.Loopback, "--port", "0", "--console-port", "0", "--cluster-port", "0"];
        var script = $"mount -t proc proc {rootfs}/proc && mount --rbind /dev {rootfs}/dev && exec env -i \"$@\"";
        var container = Own(ManagedProcess.Start("swarm container", "unshare",
            ["--mount", "--pid", "--fork", "sh", "-c", script, "sh", .. env, "chroot", $"--userspec={user}:{user}", rootfs, .. entrypoint, .. args],
            Log));
        int? pid = null;
        try
        {
            Assert.Equal("data /var/lib/swarm", (await container.WaitForLineAsync("data ", Timeouts.Start)).TrimEnd());
            await container.WaitForLineAsync("journal ", Timeouts.Start);
            pid = int.Parse(File.ReadAllText($"/proc/{container.Id}/task/{container.Id}/children").Trim());
            var uid = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            Assert.Equal(["Uid:", user, user, user, user], uid.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries));

            // The node's identity and journal are in the state volume, written by the image's user.
            var owner = await Command.RunAsync("stat", "stat", ["-c", "%u", Path.Combine(rootfs, "var/lib/swarm/node-id"), Path.Combine(rootfs, "var/lib/swarm/swarm.db")], Timeouts.Reject, Log);
            Assert.Equal([user, user], owner.EnsureSuccess().Stdout);

            // `docker stop`: SIGTERM to PID 1, which stops gracefully (unshare exits with its code).
            await Signal("TERM", pid.Value);
            Assert.Equal(0, await container.WaitForExitAsync(Timeouts.Exit));
            pid = null;
        }
        finally
        {
            if (pid is { } running && !container.HasExited)
            {
                // unshare cannot take its child along (the change of user cleared the parent-death signal): PID 1 of
                // the namespace goes, and the namespace with it.
                await Signal("KILL", running);
            }
        }
    }

    private static IReadOnlyList<string> Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    private async Task Signal(string signal, int pid) =>
        (await Command.RunAsync($"kill -{signal}", "kill", [$"-{signal}", pid.ToString()], Timeouts.Reject, Log)).EnsureSuccess();
}

/// <summary>deploy/container/build-image.py run once: the image tarball (an OCI layout), its config and its layers.</summary>
public sealed class BuiltImage : IAsyncLifetime
{
    /// <summary>The image's user: Swarm.Node.csproj's ContainerUser.</summary>
    public const string User = "1654";

    private readonly TempDir _dir = new("image");

    public JsonElement Config { get; private set; }

    /// <summary>The layers' blobs (gzip tarballs), base first.</summary>
    public IReadOnlyList<string> Layers { get; private set; } = [];

    public async Task InitializeAsync()
    {
        var tarball = _dir.File("swarm-image.tar");
        (await Command.RunAsync("build-image.py", "python3",
            [Path.Combine(DeployBuild.Repo, "deploy", "container", "build-image.py"), "-o", tarball, "--work", _dir.Sub("work")],
            DeployBuild.Long)).EnsureSuccess();

        var oci = _dir.Sub("oci");
        await TarFile.ExtractToDirectoryAsync(tarball, oci, overwriteFiles: false);
        using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(oci, "index.json")));
        var manifestRef = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal("latest", manifestRef.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString());
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Blob(oci, manifestRef)));
        using var config = JsonDocument.Parse(File.ReadAllBytes(Blob(oci, manifest.RootElement.GetProperty("config"))));
        Config = config.RootElement.Clone();
        Layers = [.. manifest.RootElement.GetProperty("layers").EnumerateArray().Select(l => Blob(oci, l))];
        Directory.Delete(_dir.File("work"), recursive: true);
    }

    private static string Blob(string oci, JsonElement descriptor)
    {
        var digest = descriptor.GetProperty("digest").GetString()!.Split(':');
        var path = Path.Combine(oci, "blobs", digest[0], digest[1]);
        Assert.True(File.Exists(path), $"the image tarball lacks blob {digest[0]}:{digest[1]}");
        return path;
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
