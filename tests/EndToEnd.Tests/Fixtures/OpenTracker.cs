using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>
/// opentracker on loopback. Debian builds it whitelist-only, so the info-hashes it will serve are
/// fixed at start. Its announce interval is about 30 minutes: a peer learns only the peers that
/// announced before it did, so each test orders its starts (see the test classes).
/// </summary>
public sealed class OpenTracker : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly ManagedProcess _process;

    private OpenTracker(ManagedProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string AnnounceUrl => AnnounceUrlFor(Port);

    private string ScrapeUrl => $"http://{SwarmCli.Loopback}:{Port}/scrape";

    /// <summary>Torrents carry the URL, and the tracker needs their hashes to start: pick the port first.</summary>
    public static string AnnounceUrlFor(int port) => $"http://{SwarmCli.Loopback}:{port}/announce";

    public static async Task<OpenTracker> StartAsync(ITestOutputHelper log, string workDir, int port, params IEnumerable<string> infoHashes)
    {
        // It chroots into its directory and drops to user nobody, which must still read the whitelist.
        Directory.CreateDirectory(workDir);
        const UnixFileMode readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                      UnixFileMode.GroupRead | UnixFileMode.GroupExecute |
                                      UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(workDir, readable);
        var whitelist = Path.Combine(workDir, "whitelist.txt");
        File.WriteAllLines(whitelist, infoHashes);
        File.SetUnixFileMode(whitelist, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        // A relative whitelist path works whether or not the chroot succeeds (it needs root).
        var process = ManagedProcess.Start($"opentracker :{port}", "opentracker",
            ["-i", SwarmCli.Loopback, "-p", port.ToString(), "-P", port.ToString(), "-d", workDir, "-w", "whitelist.txt"],
            log, workDir);
        var tracker = new OpenTracker(process, port);
        try
        {
            await tracker.WaitUntilServingAsync();
        }
        catch
        {
            await tracker.DisposeAsync();
            throw;
        }

        return tracker;
    }

    /// <summary>Seeders and leechers the tracker knows for the torrent (0, 0 before any announce).</summary>
    public Task<(int Seeders, int Leechers)> ScrapeAsync(string infoHash) => HttpScrape.ScrapeAsync(ScrapeUrl, infoHash);

    /// <summary>Waits until at least one seeder has announced.</summary>
    public Task WaitForSeederAsync(string infoHash) =>
        WaitForAsync(infoHash, s => s.Seeders > 0, "a seeder");

    /// <summary>Waits until at least one leecher has announced.</summary>
    public Task WaitForLeecherAsync(string infoHash) =>
        WaitForAsync(infoHash, s => s.Leechers > 0, "a leecher");

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private Task WaitForAsync(string infoHash, Func<(int Seeders, int Leechers), bool> done, string what) =>
        HttpScrape.WaitForAsync(ScrapeUrl, infoHash, done, what);

    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(ScrapeUrl);
                return;
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (HttpRequestException e)
            {
                throw new InvalidOperationException($"opentracker is not answering on port {Port}: {e.Message}\n{_process.Describe()}", e);
            }
        }
    }
}
