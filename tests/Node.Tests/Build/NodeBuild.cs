namespace Swarm.Node.Tests.Build;

/// <summary>Where the build people run lives: src/Node/bin/&lt;configuration&gt;/net10.0 of the repository these tests
/// were built in, with the configuration they were built in.</summary>
internal static class NodeBuild
{
    public static (string Folder, bool Release) Locate()
    {
        var baseDirectory = AppContext.BaseDirectory;
        var repo = new DirectoryInfo(baseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "SwarmActors.sln")))
        {
            repo = repo.Parent;
        }

        Xunit.Assert.NotNull(repo);
        var parts = baseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var configuration = parts[Array.LastIndexOf(parts, "bin") + 1];
        return (Path.Combine(repo.FullName, "src", "Node", "bin", configuration, "net10.0"), configuration == "Release");
    }
}
