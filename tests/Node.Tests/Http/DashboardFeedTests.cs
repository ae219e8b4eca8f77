using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.Logging.Abstractions;
using Swarm.Node.Http;
using Xunit;
using static Swarm.Actors.ConsoleEndpoint.ConsoleMessages;

namespace Swarm.Node.Tests.Http;

/// <summary>The dashboard's feed over a console endpoint that answers from a table: what a page receives when it
/// opens, when the node changes, and which torrents' bitfields are asked.</summary>
public sealed class DashboardFeedTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly NodeStatus Status = new("node-1", "1.0.0", 60, "127.0.0.1:1", "/d", "SQLite", "up member of 1", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "info");

    private readonly ActorSystem _system = ActorSystem.Create("dashboard-feed-test");
    private readonly FakeNode _node = new();
    private DashboardFeed _feed = null!;

    public Task InitializeAsync()
    {
        var endpoint = _system.ActorOf(Props.Create(() => new FakeEndpoint(_node)));
        var settings = DashboardSettings.Default with { RefreshInterval = TimeSpan.FromMilliseconds(50), PieceBuckets = 4 };
        _feed = new DashboardFeed(new NodeCommands(endpoint, "secret", Bound), () => 1_000_000, settings, TimeProvider.System, NullLogger.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _feed.DisposeAsync();
        await _system.Terminate();
    }

    [Fact]
    public async Task A_page_gets_the_node_at_once_then_each_change_and_a_second_page_the_latest()
    {
        using var first = _feed.Listen();
        var empty = await NextAsync(first);
        Assert.Equal("node-1", empty.GetProperty("node").GetProperty("id").GetString());
        Assert.Equal(0, empty.GetProperty("torrents").GetArrayLength());
        Assert.Equal("up", empty.GetProperty("cluster")[0].GetProperty("status").GetString());

        _node.Torrents = [Torrent("aa", verified: 4, pieces: 4)];
        var one = await NextAsync(first);
        var t = Assert.Single(one.GetProperty("torrents").EnumerateArray());
        Assert.Equal([100, 100, 100, 100], t.GetProperty("strip").EnumerateArray().Select(x => x.GetInt32()));

        using var second = _feed.Listen();
        Assert.Equal(one.ToString(), (await NextAsync(second)).ToString());
    }

    [Fact]
    public async Task Only_partly_verified_torrents_have_their_bitfield_asked()
    {
        // 8 pieces, the first half verified (BEP 3 bit order), in 4 buckets.
        _node.Torrents = [Torrent("aa", verified: 8, pieces: 8), Torrent("bb", verified: 4, pieces: 8), Torrent("cc", verified: 0, pieces: 8)];
        _node.Bitfields["bb"] = [0b1111_0000];
        using var page = _feed.Listen();
        var snapshot = await NextAsync(page);
        var strips = snapshot.GetProperty("torrents").EnumerateArray().ToDictionary(x => x.GetProperty("hash").GetString()!, x => x.GetProperty("strip").EnumerateArray().Select(v => v.GetInt32()).ToArray());
        Assert.Equal([100, 100, 100, 100], strips["aa"]);
        Assert.Equal([100, 100, 0, 0], strips["bb"]);
        Assert.Equal([0, 0, 0, 0], strips["cc"]);
        Assert.Equal(["bb"], _node.ShowAsked.Distinct());
    }

    private static TorrentSummary Torrent(string hash, int verified, int pieces) =>
        new(hash, hash, 100, (double)verified / pieces, verified == pieces ? "seeding" : "downloading", null, 0, 0, 0, 0, 0, 1, pieces, verified, "/d", 0, 0);

    /// <summary>The next snapshot the page is handed (within the bound).</summary>
    private static async Task<JsonElement> NextAsync(DashboardFeed.Listener page)
    {
        using var timeout = new CancellationTokenSource(Bound);
        var json = await page.Snapshots.ReadAsync(timeout.Token);
        return JsonDocument.Parse(json).RootElement.Clone();
    }

    private sealed class FakeNode
    {
        public volatile TorrentSummary[] Torrents = [];

        public Dictionary<string, byte[]> Bitfields { get; } = [];

        public System.Collections.Concurrent.ConcurrentQueue<string> ShowAsked { get; } = new();
    }

    /// <summary>Answers the console's commands as a node with <see cref="FakeNode"/>'s torrents would.</summary>
    private sealed class FakeEndpoint : ReceiveActor
    {
        public FakeEndpoint(FakeNode node)
        {
            Receive<ConsoleRequest>(r => Sender.Tell(r.Command switch
            {
                GetNodeStatus => Status,
                ListNodeTorrents => new TorrentListing(node.Torrents),
                ShowTorrent s => Show(node, s.Torrent),
                GetCluster => new ClusterInfo("self", "self", [new ClusterMember("self", "up", true, true, true, "node-1", null, node.Torrents.Length, 0)]),
                ListClusterTorrents => new ClusterTorrentListing([]),
                _ => new CommandFailed("not in this test"),
            }));
        }

        private static IConsoleReply Show(FakeNode node, string hash)
        {
            node.ShowAsked.Enqueue(hash);
            var t = node.Torrents.Single(x => x.InfoHash == hash);
            return new TorrentDetail(t, 16384, 0, null, null, node.Bitfields[hash], [], [], []);
        }
    }
}
