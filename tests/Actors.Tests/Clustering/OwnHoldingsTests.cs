using Swarm.Actors.Clustering;
using Swarm.Actors.Torrent;
using Xunit;

namespace Swarm.Actors.Tests.Clustering;

public sealed class OwnHoldingsTests
{
    private static readonly ClusterNodeInfo Node = new("node-a", "10.0.0.1:6881", "/downloads");

    [Fact]
    public void The_entry_holds_every_torrent_but_pending_magnets_with_what_makes_it_complete_private_or_a_replica()
    {
        var entry = Describe(
            Status("seeding", TorrentState.Seeding, verified: 10),
            Status("paused-complete", TorrentState.Paused, verified: 10),
            Status("half", TorrentState.Downloading, verified: 5) with { IsPrivate = true },
            Status("copy", TorrentState.Downloading, verified: 0) with { IsReplica = true },
            Status("magnet", TorrentState.Metadata, verified: 0, pieces: 0));

        Assert.Equal(("a#1", "akka.tcp://swarm@a:1", "node-a", "10.0.0.1:6881", 1L << 30, 1), (entry.Member, entry.Address, entry.NodeId, entry.PeerEndPoint, entry.FreeBytes, entry.ProtocolVersion));
        Assert.Equal(
            [("seeding", true, false, false), ("paused-complete", true, false, false), ("half", false, true, false), ("copy", false, false, true)],
            entry.Torrents.Select(t => (t.InfoHash, t.Complete, t.Private, t.Replica)));
        Assert.Equal(new TorrentHolding("half", "name of half", 1000, 10, 5, false, true), entry.Torrents[2]);
    }

    [Fact]
    public void Only_a_change_is_news()
    {
        var first = Describe(Status("t1", TorrentState.Downloading, verified: 5));
        Assert.True(OwnHoldings.IsNews(null, first));
        Assert.False(OwnHoldings.IsNews(first, Describe(Status("t1", TorrentState.Downloading, verified: 5))));
        Assert.True(OwnHoldings.IsNews(first, Describe(Status("t1", TorrentState.Downloading, verified: 6))));
        Assert.True(OwnHoldings.IsNews(first, first with { FreeBytes = 2L << 30 }));
        Assert.True(OwnHoldings.IsNews(first, first with { Torrents = [] }));
    }

    private static MemberHoldings Describe(params TorrentStatus[] torrents) =>
        OwnHoldings.Describe("a#1", "akka.tcp://swarm@a:1", Node, torrents, 1L << 30, 1);

    private static TorrentStatus Status(string hash, TorrentState state, int verified, int pieces = 10) =>
        new(hash, $"name of {hash}", state, null, "/downloads", 1000, pieces, verified, 0, 0, 0, 0, 0, []);
}
