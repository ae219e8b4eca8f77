using System.Text.Json.Nodes;
using Swarm.Node.Http;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.Http;

/// <summary>Our torrents in Transmission's words: status numbers, errors, sizes, eta, ratio and field names.</summary>
public sealed class TransmissionFieldsTests
{
    private static TorrentSummary Torrent(string state = "downloading", int verified = 5, double down = 0, long downloaded = 0, long uploaded = 0, string? error = null) =>
        new("aa" + new string('0', 38), "name", 1000, verified / 10.0, state, error, down, 0, downloaded, uploaded, 3, 1, 10, verified, "/data", 0, 0);

    [Theory]
    [InlineData("paused", 0)]
    [InlineData("checking", 2)]
    [InlineData("downloading", 4)]
    [InlineData("metadata", 4)]
    [InlineData("seeding", 6)]
    [InlineData("error", 0)]
    [InlineData("failed", 0)]
    public void States_map_to_transmission_status_numbers(string state, int status) =>
        Assert.Equal(status, TransmissionFields.Status(state));

    [Fact]
    public void A_local_error_is_error_3_with_its_reason()
    {
        var t = Torrent("error", error: "disk full");
        Assert.Equal(3, TransmissionFields.Error(t, null));
        Assert.Equal("disk full", TransmissionFields.ErrorString(t, null));
        Assert.Equal(0, TransmissionFields.Error(Torrent(), null));
    }

    [Theory]
    [InlineData("hash_string", "hashString")]
    [InlineData("peers_getting_from_us", "peersGettingFromUs")]
    [InlineData("percentDone", "percentDone")]
    public void Snake_case_fields_are_the_classic_ones(string given, string canonical) =>
        Assert.Equal(canonical, TransmissionFields.Canonical(given));

    [Fact]
    public void Sizes_eta_and_ratio_follow_the_verified_pieces()
    {
        var half = Torrent(verified: 5, down: 100, downloaded: 500, uploaded: 250);
        var view = new TorrentView(7, half, null, 100, 0, 160);
        Assert.Equal(500L, (long)TransmissionFields.Value("haveValid", view)!);
        Assert.Equal(500L, (long)TransmissionFields.Value("leftUntilDone", view)!);
        Assert.Equal(5L, (long)TransmissionFields.Value("eta", view)!);
        Assert.Equal(0.5, (double)TransmissionFields.Value("uploadRatio", view)!);
        Assert.Equal(7, (int)TransmissionFields.Value("id", view)!);
        Assert.Equal(60L, (long)TransmissionFields.Value("secondsDownloading", view)!);

        Assert.Equal(-2L, TransmissionFields.Eta(Torrent(down: 0), null));
        Assert.Equal(-1L, TransmissionFields.Eta(Torrent("seeding", verified: 10), null));
        Assert.Equal(-1.0, TransmissionFields.Ratio(Torrent(verified: 0), null));

        var done = Torrent("seeding", verified: 10);
        Assert.Equal(1000L, TransmissionFields.HaveValid(done, null));
        Assert.Equal(0L, (long)TransmissionFields.Value("leftUntilDone", new TorrentView(1, done, null, 100, 130, 160))!);
        Assert.Equal(30L, (long)TransmissionFields.Value("secondsSeeding", new TorrentView(1, done, null, 100, 130, 160))!);
    }

    [Fact]
    public void Cluster_facts_are_under_our_own_names_and_unknown_fields_are_left_out()
    {
        var t = Torrent() with { Replicas = 2 };
        t = t with { Factor = 3 };
        var view = new TorrentView(1, t, null, 0, 0, 0);
        Assert.Equal(2, (int)TransmissionFields.Value("swarmCopies", view)!);
        Assert.Equal(3, (int)TransmissionFields.Value("swarmReplicationFactor", view)!);
        Assert.Null(TransmissionFields.Value("noSuchField", view));
    }

    [Fact]
    public void Files_peers_and_trackers_come_from_the_details()
    {
        var t = Torrent();
        var detail = new TorrentDetail(
            t,
            100,
            0,
            null,
            null,
            [0xF8, 0x00],
            [new FileSummary("a/one.bin", 600, 1), new FileSummary("two.bin", 400, 0.5)],
            [new TrackerSummary("http://tracker.example:6969/announce", "working", null, null)],
            [new PeerSummary("10.0.0.1:51413", "Transmission 4.0", false, 50, 0, 10, 0, true, false, true, 0.5)]);
        var view = new TorrentView(1, t, detail, 0, 0, 0);
        var files = (JsonArray)TransmissionFields.Value("files", view)!;
        Assert.Equal("name/a/one.bin", (string)files[0]!["name"]!);
        Assert.Equal(200L, (long)files[1]!["bytesCompleted"]!);
        var peer = ((JsonArray)TransmissionFields.Value("peers", view)!)[0]!;
        Assert.Equal("10.0.0.1", (string)peer["address"]!);
        Assert.Equal(51413, (int)peer["port"]!);
        Assert.True((bool)peer["isDownloadingFrom"]!);
        var tracker = ((JsonArray)TransmissionFields.Value("trackerStats", view)!)[0]!;
        Assert.Equal("http://tracker.example:6969", (string)tracker["host"]!);
        Assert.Equal("+AA=", (string)TransmissionFields.Value("pieces", view)!);
    }
}
