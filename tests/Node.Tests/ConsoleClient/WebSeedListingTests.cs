using Swarm.Node.ConsoleClient;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.ConsoleClient;

/// <summary>Issue 17: `peers` lists a torrent's web seeds and their state under its connections.</summary>
public sealed class WebSeedListingTests
{
    private static readonly DateTime Now = new(2026, 11, 30, 5, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Peers_lists_each_web_seed_with_its_state_and_why_it_waits_or_was_banned()
    {
        var listing = new PeerListing("0123456789abcdef0123456789abcdef01234567", "iso", [])
        {
            WebSeeds =
            [
                new WebSeedSummary("http://mirror.example/pub/", "fetching", 5 << 20, 1 << 20, null, null),
                new WebSeedSummary("http://gone.example/", "backing off", 0, 0, "HTTP 404: the server does not have the file", new DateTimeOffset(Now).AddSeconds(40)),
                new WebSeedSummary("http://liar.example/", "banned", 1 << 20, 0, "banned after 2 pieces that failed the hash check", null),
            ],
        };

        var text = ConsoleRenderer.Text(listing, Now);

        Assert.Contains("3 web seed(s)", text, StringComparison.Ordinal);
        Assert.Contains("http://mirror.example/pub/", text, StringComparison.Ordinal);
        Assert.Contains("retry in 40s: HTTP 404", text, StringComparison.Ordinal);
        Assert.Contains("banned after 2 pieces", text, StringComparison.Ordinal);
        Assert.Contains("\"webSeeds\":[{\"url\":\"http://mirror.example/pub/\",\"state\":\"fetching\"", ConsoleRenderer.JsonOneLine(listing), StringComparison.Ordinal);
    }

    [Fact]
    public void A_torrent_without_web_seeds_lists_only_its_peers()
    {
        Assert.DoesNotContain("web seed", ConsoleRenderer.Text(new PeerListing("0123456789abcdef0123456789abcdef01234567", "iso", []), Now), StringComparison.Ordinal);
    }
}
