using System.Net;
using System.Net.Sockets;
using Swarm.EndToEnd.Tests.Fixtures;
using Swarm.EndToEnd.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.EndToEnd.Tests;

/// <summary>`swarm tracker` as the index server for real clients: they find each other, and us, through it alone.</summary>
public sealed class IndexServerTests(ITestOutputHelper log) : EndToEndTest(log)
{
    [Fact]
    public async Task Libtorrent_and_aria2_find_each_other_through_our_tracker()
    {
        var tracker = Own(await SwarmTracker.StartAsync(Log));
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log, tracker.HttpAnnounceUrl);
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next()));
        await tracker.WaitForAsync(torrent.InfoHash, s => s.Seeders > 0, "libtorrent");

        var outDir = Dir.Sub("out");
        var leecher = Own(Aria2.StartGet(Log, Dir.Sub("aria2"), torrent.TorrentPath, outDir, FreePort.Next()));
        await Aria2.WaitForCompleteAsync(leecher);
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Aria2_downloads_from_Transmission_through_our_tracker()
    {
        var tracker = Own(await SwarmTracker.StartAsync(Log));
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log, tracker.HttpAnnounceUrl);
        var transmission = Own(await Transmission.StartAsync(Log, Dir.Sub("transmission")));
        await transmission.AddAsync(torrent.TorrentPath, torrent.Content.Parent);
        await transmission.WaitForCompleteAsync(torrent.InfoHash, Timeouts.Start);
        await tracker.WaitForAsync(torrent.InfoHash, s => s.Seeders > 0, "Transmission");

        var outDir = Dir.Sub("out");
        var leecher = Own(Aria2.StartGet(Log, Dir.Sub("aria2"), torrent.TorrentPath, outDir, FreePort.Next()));
        await Aria2.WaitForCompleteAsync(leecher);
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Libtorrent_downloads_from_swarm_found_through_our_HTTP_tracker()
    {
        var tracker = Own(await SwarmTracker.StartAsync(Log));
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.SingleFile, Log, tracker.HttpAnnounceUrl);
        var seeder = Own(SwarmCli.Seed(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next(), StateDir("seeder")));
        await seeder.WaitForSeedingAsync(torrent.InfoHash);
        await tracker.WaitForAsync(torrent.InfoHash, s => s.Seeders > 0, "swarm seed");

        var outDir = Dir.Sub("out");
        var leecher = Own(Libtorrent.StartGet(Log, torrent.TorrentPath, outDir, FreePort.Next()));
        await Libtorrent.WaitForCompleteAsync(leecher);
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Swarm_downloads_from_libtorrent_found_through_our_UDP_tracker()
    {
        var tracker = Own(await SwarmTracker.StartAsync(Log));
        var torrent = await TestTorrent.CreateAsync(Dir.Path, PayloadKind.MultiFile, Log, tracker.UdpAnnounceUrl);
        Own(await Libtorrent.StartSeedAsync(Log, torrent.TorrentPath, torrent.Content.Parent, FreePort.Next()));
        await tracker.WaitForAsync(torrent.InfoHash, s => s.Seeders > 0, "libtorrent over UDP");

        var outDir = Dir.Sub("out");
        var leecher = Own(SwarmCli.Get(Log, torrent.TorrentPath, outDir, FreePort.Next(), StateDir("leecher")));
        await leecher.WaitForCompleteAsync(torrent.InfoHash);
        torrent.AssertDownloadedTo(outDir);
    }

    [Fact]
    public async Task Hostile_requests_get_a_failure_reason_or_nothing_and_the_tracker_keeps_serving()
    {
        var tracker = Own(await SwarmTracker.StartAsync(Log));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var baseUrl = tracker.HttpAnnounceUrl;
        string[] hostile =
        [
            "",
            "?info_hash=%zz",
            "?info_hash=short&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1",
            "?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=0",
            "?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=99999",
            "?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1&left=-1",
            "?info_hash=aaaaaaaaaaaaaaaaaaaa&info_hash=bbbbbbbbbbbbbbbbbbbb&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1",
            "?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=1&event=exploded",
            "?" + new string('a', 5000),
        ];
        foreach (var query in hostile)
        {
            using var response = await http.GetAsync(baseUrl + query);
            var body = await response.Content.ReadAsStringAsync();
            Log.WriteLine($"{query[..Math.Min(60, query.Length)]} -> {(int)response.StatusCode} {body[..Math.Min(80, body.Length)]}");
            Assert.True(
                (response.StatusCode == HttpStatusCode.OK && body.StartsWith("d14:failure reason", StringComparison.Ordinal)) || (int)response.StatusCode is >= 400 and < 500,
                $"'{query[..Math.Min(60, query.Length)]}' got {(int)response.StatusCode}: {body}");
        }

        // numwant beyond the cap is clamped, not an error.
        var ok = await http.GetStringAsync(baseUrl + "?info_hash=aaaaaaaaaaaaaaaaaaaa&peer_id=aaaaaaaaaaaaaaaaaaaa&port=6881&numwant=99999999");
        Assert.StartsWith("d8:complete", ok);

        // UDP: junk is dropped, an announce with a made-up connection id gets an error packet.
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var target = new Uri(tracker.UdpAnnounceUrl);
        var endpoint = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        await udp.SendAsync(new byte[] { 1, 2, 3 }, endpoint);
        var forged = new byte[98];
        forged[11] = 1; // action announce
        forged[15] = 42; // transaction id
        forged[97] = 80; // port
        await udp.SendAsync(forged, endpoint);
        var answer = await udp.ReceiveAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(3, answer.Buffer[3]); // action error
        Assert.Contains("connection id", System.Text.Encoding.UTF8.GetString(answer.Buffer, 8, answer.Buffer.Length - 8));

        // Still serving.
        Assert.StartsWith("d8:complete", await http.GetStringAsync(baseUrl + "?info_hash=bbbbbbbbbbbbbbbbbbbb&peer_id=aaaaaaaaaaaaaaaaaaaa&port=6881"));
        Assert.False(tracker.Process.HasExited);
    }
}
