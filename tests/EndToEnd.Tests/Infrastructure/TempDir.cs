namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A directory for one test, deleted on Dispose. Set SWARM_E2E_KEEP=1 to keep it for a post-mortem.
/// </summary>
public sealed class TempDir : IDisposable
{
    public TempDir(string prefix)
    {
        Path = Directory.CreateTempSubdirectory($"swarm-e2e-{prefix}-").FullName;
    }

    public string Path { get; }

    /// <summary>Creates (if needed) and returns a subdirectory.</summary>
    public string Sub(string relative) => Directory.CreateDirectory(System.IO.Path.Combine(Path, relative)).FullName;

    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("SWARM_E2E_KEEP") == "1")
        {
            return;
        }

        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temp dir must not mask the test's own outcome.
        }
    }
}
