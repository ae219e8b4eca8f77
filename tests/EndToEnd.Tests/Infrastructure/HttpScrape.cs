namespace Swarm.EndToEnd.Tests.Infrastructure;

/// <summary>Asks an HTTP tracker's scrape what it knows of a torrent, so tests can order their starts.</summary>
public static class HttpScrape
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Seeders and leechers the tracker knows for the torrent (0, 0 before any announce).</summary>
    public static async Task<(int Seeders, int Leechers)> ScrapeAsync(string scrapeUrl, string infoHash)
    {
        var escaped = string.Concat(Convert.FromHexString(infoHash).Select(b => $"%{b:X2}"));
        var body = await Http.GetByteArrayAsync($"{scrapeUrl}?info_hash={escaped}");
        var files = (Dictionary<string, object>)((Dictionary<string, object>)Bencode.Decode(body))["files"];
        if (files.Count == 0)
        {
            return (0, 0);
        }

        var stats = (Dictionary<string, object>)files.Values.Single();
        return ((int)(long)stats["complete"], (int)(long)stats["incomplete"]);
    }

    /// <summary>Polls the scrape until <paramref name="done"/> holds, or fails after <see cref="Timeouts.Announce"/>.</summary>
    public static Task WaitForAsync(string scrapeUrl, string infoHash, Func<(int Seeders, int Leechers), bool> done, string what) =>
        Poll.UntilAsync(
            () => ScrapeAsync(scrapeUrl, infoHash),
            done,
            Timeouts.Announce,
            TimeSpan.FromMilliseconds(200),
            last => $"No announce from {what} for {infoHash} reached the tracker at {scrapeUrl} within {Timeouts.Announce.TotalSeconds:0} s (seeders, leechers) = {last}.");
}
