using System.Text.Json;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests.Fixtures;

/// <summary>
/// qbittorrent-nox 4.5 (libtorrent 2.0) with a profile of its own, driven through its Web API v2 on a loopback port.
/// It listens on an address of its own over TCP only, with DHT, LSD, PEX and UPnP off. The profile accepts the legal
/// notice (it blocks on it otherwise) and turns off peer country look-ups (it would download a GeoIP database).
/// </summary>
public sealed class QBittorrent : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    // States of a torrent that has every piece and is not checking them (Web API v2, torrents/info).
    private static readonly HashSet<string> CompleteStates = ["uploading", "stalledUP", "forcedUP", "queuedUP", "pausedUP"];

    private readonly ManagedProcess _process;

    private QBittorrent(ManagedProcess process, string address, int peerPort, int webPort)
    {
        _process = process;
        Address = address;
        PeerPort = peerPort;
        WebPort = webPort;
    }

    /// <summary>The loopback address it listens on for peers.</summary>
    public string Address { get; }

    public int PeerPort { get; }

    public int WebPort { get; }

    public string PeerEndpoint => $"{Address}:{PeerPort}";

    private string Api => $"http://{SwarmCli.Loopback}:{WebPort}/api/v2";

    public static async Task<QBittorrent> StartAsync(ITestOutputHelper log, string workDir, string address)
    {
        var profile = Directory.CreateDirectory(Path.Combine(workDir, "profile")).FullName;
        var config = Directory.CreateDirectory(Path.Combine(profile, "qBittorrent", "config")).FullName;
        var downloads = Directory.CreateDirectory(Path.Combine(workDir, "downloads")).FullName;
        var peerPort = FreePort.Next();
        var webPort = FreePort.Next();
        File.WriteAllLines(Path.Combine(config, "qBittorrent.conf"),
        [
            "[LegalNotice]",
            "Accepted=true",
            "",
            "[BitTorrent]",
            $"Session\\Port={peerPort}",
            "Session\\Interface=lo",
            "Session\\InterfaceName=lo",
            $"Session\\InterfaceAddress={address}",
            "Session\\DHTEnabled=false",
            "Session\\LSDEnabled=false",
            "Session\\PeXEnabled=false",
            // TCP only: otherwise it tries uTP first.
            "Session\\BTProtocol=TCP",
            "Session\\QueueingSystemEnabled=false",
            "Session\\MultiConnectionsPerIp=true",
            "Session\\AddTorrentPaused=false",
            // Seed forever: a test decides when it stops.
            "Session\\GlobalMaxRatio=-1",
            "Session\\GlobalMaxSeedingMinutes=-1",
            $"Session\\DefaultSavePath={downloads}",
            "",
            "[Preferences]",
            "Connection\\UPnP=false",
            "Connection\\ResolvePeerCountries=false",
            "General\\Locale=en",
            $"WebUI\\Address={SwarmCli.Loopback}",
            $"WebUI\\Port={webPort}",
            "WebUI\\UseUPnP=false",
            // No login from loopback, no CSRF or Host checks: the tests are its only client.
            "WebUI\\LocalHostAuth=false",
            "WebUI\\CSRFProtection=false",
            "WebUI\\HostHeaderValidation=false",
        ]);

        var process = ManagedProcess.Start($"qbittorrent {address}:{peerPort}", "qbittorrent-nox", [$"--profile={profile}"], log, workDir);
        var client = new QBittorrent(process, address, peerPort, webPort);
        try
        {
            await client.WaitForApiAsync();
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        return client;
    }

    /// <summary>Adds a torrent whose content lives (or will be downloaded) in <paramref name="saveDir"/>; it checks
    /// whatever is already there.</summary>
    public async Task AddAsync(string torrent, string saveDir)
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(await File.ReadAllBytesAsync(torrent)), "torrents", Path.GetFileName(torrent) },
            { new StringContent(saveDir), "savepath" },
            { new StringContent("false"), "paused" },
            { new StringContent("false"), "autoTMM" },
        };
        using var response = await Http.PostAsync($"{Api}/torrents/add", form);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || body.Trim() != "Ok.")
        {
            throw new InvalidOperationException($"qBittorrent did not add {torrent}: HTTP {(int)response.StatusCode} {body}\n{_process.Describe()}");
        }
    }

    /// <summary>Waits until the torrent has every piece, checked: after the initial check of complete data, or after
    /// a download.</summary>
    public async Task WaitForCompleteAsync(string infoHash, TimeSpan timeout)
    {
        await Poll.UntilAsync(
            async () => _process.HasExited
                ? throw new InvalidOperationException($"{_process.Name} exited.\n{_process.Describe()}")
                : await InfoAsync(infoHash),
            info => info.Progress >= 1 && CompleteStates.Contains(info.State),
            timeout,
            TimeSpan.FromMilliseconds(200),
            last => $"qBittorrent did not complete {infoHash} within {timeout.TotalSeconds:0} s; last torrents/info: {last}.\n{_process.Describe()}");
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private async Task<TorrentInfo?> InfoAsync(string infoHash)
    {
        var json = await Http.GetStringAsync($"{Api}/torrents/info?hashes={infoHash}");
        using var document = JsonDocument.Parse(json);
        var torrents = document.RootElement;
        if (torrents.GetArrayLength() == 0)
        {
            return null;
        }

        var torrent = torrents[0];
        return new TorrentInfo(torrent.GetProperty("state").GetString() ?? "", torrent.GetProperty("progress").GetDouble(), json);
    }

    private async Task WaitForApiAsync()
    {
        var deadline = DateTime.UtcNow + Timeouts.Start;
        var last = "no answer yet";
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            try
            {
                last = await Http.GetStringAsync($"{Api}/app/version");
                if (last.StartsWith('v'))
                {
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                // Not listening yet.
                last = e.Message;
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"qBittorrent's Web API never answered on {Api} ({last}).\n{_process.Describe()}");
    }

    private sealed record TorrentInfo(string State, double Progress, string Json)
    {
        public override string ToString() => Json;
    }
}
