using System.Reflection.PortableExecutable;
using Xunit;

namespace Swarm.Node.Tests.Build;

/// <summary>Start-up (issue 14): the Release build people run (`dotnet src/Node/bin/Release/net10.0/swarm.dll`) is
/// precompiled (ReadyToRun), so a `get`, `seed` or one-shot console does not spend its start in the JIT; a Debug build
/// stays plain IL.</summary>
public sealed class ReadyToRunBuildTests
{
    [Fact]
    public void The_build_of_swarm_these_tests_ran_with_is_ReadyToRun_in_Release_and_IL_in_Debug()
    {
        var (folder, release) = NodeBuild.Locate();

        // What every start runs: our own code, Akka, the journal's SQL layer.
        foreach (var assembly in new[] { "swarm.dll", "Swarm.Actors.dll", "Akka.dll", "Akka.Persistence.Sql.dll", "linq2db.dll" })
        {
            Assert.True(IsReadyToRun(Path.Combine(folder, assembly)) == release, $"{assembly} in {folder}: ReadyToRun should be {release}");
        }

        // crossgen2 does not finish on it (minutes at full CPU): excluded, so it stays IL.
        Assert.False(IsReadyToRun(Path.Combine(folder, "LanguageExt.Core.dll")));
    }

    /// <summary>An R2R image carries a native header beside its IL (the CLI header's ManagedNativeHeader).</summary>
    private static bool IsReadyToRun(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
