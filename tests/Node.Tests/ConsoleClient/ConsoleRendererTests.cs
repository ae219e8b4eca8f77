using System.Text.Json;
using Swarm.Node.ConsoleClient;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.ConsoleClient;

public sealed class ConsoleRendererTests
{
    [Fact]
    public void A_magnet_awaiting_metadata_shows_its_state_and_reason_and_no_made_up_sizes()
    {
        var text = ConsoleRenderer.Text(Detail(Summary("metadata", error: "no peer gave the metadata of 0123abcd within 120 s")), Now);
        Assert.Contains("state      metadata: no peer gave the metadata of 0123abcd within 120 s", text);
        Assert.Contains("unknown until the metadata comes", text);
        Assert.DoesNotContain("pieces of", text);
        Assert.DoesNotContain("files (", text);
    }

    [Fact]
    public void A_copy_made_by_the_cluster_says_so_and_a_persons_copy_does_not()
    {
        Assert.Contains("a copy the cluster made", ConsoleRenderer.Text(Detail(Summary("seeding") with { Replica = true }), Now));
        var own = ConsoleRenderer.Text(Detail(Summary("seeding")), Now);
        Assert.DoesNotContain("a copy the cluster made", own);
        Assert.Contains("files (0):", own);
    }

    [Fact]
    public void A_v2_torrent_shows_both_hashes_and_a_v1_torrent_one()
    {
        var v2 = new string('a', 64);
        var text = ConsoleRenderer.Text(Detail(Summary("seeding") with { InfoHashV2 = v2 }), Now);
        Assert.Contains($"v2 hash    {v2}", text);
        Assert.Contains("\"infoHashV2\":\"" + v2 + "\"", ConsoleRenderer.JsonOneLine(new TorrentListing([Summary("seeding") with { InfoHashV2 = v2 }])));
        Assert.DoesNotContain("v2 hash", ConsoleRenderer.Text(Detail(Summary("seeding")), Now));
    }

    [Fact]
    public void The_replica_flag_is_in_the_json_listing()
    {
        var json = ConsoleRenderer.JsonOneLine(new TorrentListing([Summary("seeding") with { Replica = true }]));
        Assert.Contains("\"replica\":true", json);
    }

    [Fact]
    public void The_piece_map_marks_full_partial_and_empty_slices()
    {
        // 10 pieces in 5 slots: pieces 0-1 full, 2 only of 2-3, none of 4-9.
        var bits = Bits(10, 0, 1, 2);
        Assert.Equal("#+...", ConsoleRenderer.PieceMap(bits, 10, 5));
        Assert.Equal("###.......", ConsoleRenderer.PieceMap(bits, 10, 64));
        Assert.Equal(string.Empty, ConsoleRenderer.PieceMap([], 0, 64));
    }

    [Fact]
    public void Show_draws_the_piece_map_from_the_bitfield_in_text_and_in_json()
    {
        var detail = Detail(Summary("downloading") with { Pieces = 4, VerifiedPieces = 2 }) with { Bitfield = Bits(4, 0, 3) };

        Assert.Contains("pieces     [#..#]", ConsoleRenderer.Text(detail, Now));

        var output = new StringWriter();
        Assert.Equal(0, ConsoleRenderer.Render(detail, json: true, output, new StringWriter(), Now));
        using var json = JsonDocument.Parse(output.ToString());
        Assert.Equal("#..#", json.RootElement.GetProperty("pieceMap").GetString());
        Assert.False(json.RootElement.TryGetProperty("bitfield", out _));
        Assert.Equal(
            ["torrent", "pieceLength", "hashFailures", "journalError", "trackerError", "pieceMap", "files", "trackers", "peers"],
            json.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void A_failed_torrent_shows_its_state_and_reason()
    {
        var text = ConsoleRenderer.Text(Detail(Summary("failed", error: "ArgumentException: Null character in path.")), Now);
        Assert.Contains("state      failed: ArgumentException: Null character in path.", text);
    }

    [Fact]
    public void A_trackers_next_announce_is_said_from_the_time_given()
    {
        var detail = Detail(Summary("seeding")) with { Trackers = [new TrackerSummary("http://t/announce", "working", null, Now.AddSeconds(42))] };
        Assert.Contains("in 42 s", ConsoleRenderer.Text(detail, Now));
    }

    private static readonly DateTime Now = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    private static byte[] Bits(int pieces, params int[] verified)
    {
        var bits = new byte[(pieces + 7) / 8];
        foreach (var p in verified)
        {
            bits[p >> 3] |= (byte)(0x80 >> (p & 7));
        }

        return bits;
    }

    private static TorrentDetail Detail(TorrentSummary summary) => new(summary, 16384, 0, null, null, [], [], [], []);

    private static TorrentSummary Summary(string state, string? error = null) =>
        new(new string('a', 40), "name", 0, 0, state, error, 0, 0, 0, 0, 0, 0, 0, 0, "/data", 0, 0);
}
