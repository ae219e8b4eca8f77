using Xunit;

namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>Where the deploy tests find the repository, the build they pack from and the `dotnet` they run.</summary>
public static class DeployBuild
{
    /// <summary>Packing, installing and publishing on a loaded two-core machine.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromMinutes(8);

    public static string Repo
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SwarmActors.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException($"No SwarmActors.sln in any folder above {AppContext.BaseDirectory}.");
        }
    }

    public static string NodeProject => Path.Combine(Repo, "src", "Node", "Swarm.Node.csproj");

    /// <summary>The configuration these tests were built with (tests/EndToEnd.Tests/bin/&lt;Configuration&gt;/…), so
    /// that `dotnet pack --no-build` packs the build the solution made.</summary>
    public static string Configuration
    {
        get
        {
            var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            var bin = Array.LastIndexOf(parts, "bin");
            return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Debug";
        }
    }

    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
        ? host
        : "dotnet";
}

/// <summary>The `swarm` dotnet tool as a user gets it: `dotnet pack` of the solution's build, then
/// `dotnet tool install --tool-path DIR --add-source PACKDIR swarm`. Made once for the tests that use it.</summary>
public sealed class InstalledTool : IAsyncLifetime
{
    private readonly TempDir _dir = new("tool");

    /// <summary>The installed `swarm` command.</summary>
    public string Swarm { get; private set; } = "";

    public string PackDir => _dir.File("pack");

    public async Task InitializeAsync()
    {
        // --no-build: the solution's build is what is packed; the tool's publish folder and nuspec go to the temp
        // folder, so the solution's bin/ is left as it was.
        (await Command.RunAsync("dotnet pack", DeployBuild.Dotnet,
            ["pack", DeployBuild.NodeProject, "-c", DeployBuild.Configuration, "--no-build", "--disable-build-servers", "-nologo", "-o", PackDir,
             $"-p:NuspecOutputPath={_dir.Sub("nuspec")}/", $"-p:PublishDir={_dir.Sub("publish")}/"],
            DeployBuild.Long)).EnsureSuccess();
        var package = Assert.Single(Directory.GetFiles(PackDir, "swarm.*.nupkg"));
        var version = Path.GetFileNameWithoutExtension(package)["swarm.".Length..];

        // A NuGet cache of its own: a swarm package of the same version cached by an earlier run would be installed
        // instead of this one. --version: this package, whatever another source may hold under the same name.
        (await Command.RunAsync("dotnet tool install", DeployBuild.Dotnet,
            ["tool", "install", "--tool-path", _dir.File("tools"), "--add-source", PackDir, "--version", version, "swarm"],
            DeployBuild.Long,
            environment: new Dictionary<string, string?> { ["NUGET_PACKAGES"] = _dir.Sub("nuget") })).EnsureSuccess();
        Swarm = _dir.File(Path.Combine("tools", "swarm"));
        Assert.True(File.Exists(Swarm), $"dotnet tool install left no {Swarm}");
    }

    public Task DisposeAsync()
    {
        _dir.Dispose();
        return Task.CompletedTask;
    }
}
