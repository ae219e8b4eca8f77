using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Tests.Catalog;

/// <summary>Issue 14 (footprint): a one-shot's start-up trim waits for the catalog's journal writes; the catalog answers
/// that wait only once the writes asked for before it are done.</summary>
public sealed class CatalogWritesTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public void Awaiting_writes_is_answered_after_the_add_asked_before_it_is_journaled()
    {
        using var torrent = new TestTorrent(length: 64 << 10, pieceLength: 1 << 14);
        var (node, _) = TestNodes.Start(Sys, "node");

        // The node hands both to its catalog, in this order.
        node.Tell(new AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions()), TestActor);
        node.Tell(AwaitWrites.Instance, TestActor);

        // The add answers from its journal write's callback; the wait after it is answered only then.
        ExpectMsg<TorrentAccepted>(Wait);
        ExpectMsg<WritesDone>(Wait);
    }
}
