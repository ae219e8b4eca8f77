using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>`swarm tracker` on loopback (HTTP and UDP on free ports), started before the torrents that name it.</summary>
public sealed class SwarmTracker : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
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

    /// <summary>Seeders and leechers the tracker knows for the torrent, by HTTP scrape.</summary>
    public async Task<(int Seeders, int Leechers)> ScrapeAsync(string infoHash)
    {
        var escaped = string.Concat(Convert.FromHexString(infoHash).Select(b => $"%{b:X2}"));
        var body = await Http.GetByteArrayAsync($"{HttpAnnounceUrl[..^"announce".Length]}scrape?info_hash={escaped}");
        var files = (Dictionary<string, object>)((Dictionary<string, object>)Bencode.Decode(body))["files"];
        var stats = (Dictionary<string, object>)files.Values.Single();
        return ((int)(long)stats["complete"], (int)(long)stats["incomplete"]);
    }

    public async Task WaitForAsync(string infoHash, Func<(int Seeders, int Leechers), bool> done, string what)
    {
        var deadline = DateTime.UtcNow + Timeouts.Announce;
        var last = (0, 0);
        while (DateTime.UtcNow < deadline)
        {
            last = await ScrapeAsync(infoHash);
            if (done(last))
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"no announce from {what} for {infoHash} reached swarm tracker within {Timeouts.Announce.TotalSeconds:0} s (seeders, leechers) = {last}.");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
