using Swarm.Node.ConsoleClient;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.ConsoleClient;

public sealed class ConsoleRendererTests
{
    [Fact]
    public void A_magnet_awaiting_metadata_shows_its_state_and_reason_and_no_made_up_sizes()
    {
        var text = ConsoleRenderer.Text(Detail(Summary("metadata", error: "no peer gave the metadata of 0123abcd within 120 s")));
        Assert.Contains("state      metadata: no peer gave the metadata of 0123abcd within 120 s", text);
        Assert.Contains("unknown until the metadata comes", text);
        Assert.DoesNotContain("pieces of", text);
        Assert.DoesNotContain("files (", text);
    }

    [Fact]
    public void A_copy_made_by_the_cluster_says_so_and_a_persons_copy_does_not()
    {
        Assert.Contains("a copy the cluster made", ConsoleRenderer.Text(Detail(Summary("seeding") with { Replica = true })));
        var own = ConsoleRenderer.Text(Detail(Summary("seeding")));
        Assert.DoesNotContain("a copy the cluster made", own);
        Assert.Contains("files (0):", own);
    }

    [Fact]
    public void The_replica_flag_is_in_the_json_listing()
    {
        var json = ConsoleRenderer.JsonOneLine(new TorrentListing([Summary("seeding") with { Replica = true }]));
        Assert.Contains("\"replica\":true", json);
    }

    private static TorrentDetail Detail(TorrentSummary summary) => new(summary, 16384, 0, null, null, string.Empty, [], [], []);

    private static TorrentSummary Summary(string state, string? error = null) =>
        new(new string('a', 40), "name", 0, 0, state, error, 0, 0, 0, 0, 0, 0, 0, 0, "/data", 0, 0);
}
