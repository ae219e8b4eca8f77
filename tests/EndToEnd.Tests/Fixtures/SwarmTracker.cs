using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>`swarm tracker` on loopback (HTTP and UDP on free ports), started before the torrents that name it.</summary>
public sealed class SwarmTracker : IAsyncDisposable
{
    private readonly ManagedProcess _process;

    private SwarmTracker(ManagedProcess process, string http, string udp)
    {
        _process = process;
        HttpAnnounceUrl = http;
        UdpAnnounceUrl = udp;
    }

    public string HttpAnnounceUrl { get; }

    public string UdpAnnounceUrl { get; }

    public ManagedProcess Process => _process;

    public static async Task<SwarmTracker> StartAsync(ITestOutputHelper log, params string[] extra)
    {
        var process = SwarmCli.Start("swarm tracker", log, ["tracker", "--http-port", "0", "--udp-port", "0", .. extra]);
        try
        {
            var http = (await process.WaitForLineAsync("http ", Timeouts.Start))["http ".Length..].Trim();
            var udp = (await process.WaitForLineAsync("udp ", Timeouts.Start))["udp ".Length..].Trim();
            return new SwarmTracker(process, http, udp);
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    private string ScrapeUrl => $"{HttpAnnounceUrl[..^"announce".Length]}scrape";

    public Task WaitForAsync(string infoHash, Func<(int Seeders, int Leechers), bool> done, string what) =>
        HttpScrape.WaitForAsync(ScrapeUrl, infoHash, done, what);

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
