using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Catalog.CatalogMessages;

namespace Swarm.Actors.Tests.Catalog;

/// <summary>The catalog's supervision of its torrents, on a real node: a torrent that keeps failing ends visibly
/// failed, the others go on.</summary>
public sealed class CatalogSupervisionTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_torrent_that_keeps_failing_is_shown_as_failed_with_its_reason_and_can_be_removed()
    {
        using var broken = new TestTorrent(length: 64 << 10, pieceLength: 1 << 14, seed: 1);
        using var healthy = new TestTorrent(length: 64 << 10, pieceLength: 1 << 14, seed: 2);
        var (node, _) = TestNodes.Start(Sys, "node");
        // No file system takes a NUL in a path: the torrent's actor throws while it is built, at every restart.
        var nowhere = Path.Combine(broken.Root, "bad\0folder");
        var hash = broken.Metainfo.InfoHash.Hex;
        Assert.IsType<TorrentAccepted>(await node.Ask(new AddTorrent(broken.Metainfo, nowhere, new TorrentOptions()), Wait));
        Assert.IsType<TorrentAccepted>(await node.Ask(new AddTorrent(healthy.Metainfo, healthy.SeedDir, new TorrentOptions()), Wait));

        // While it is being restarted nothing answers for it; once the catalog gave up, the catalog does.
        var failed = await Eventually(async () =>
        {
            var status = await node.Ask<TorrentStatus>(new ForTorrent(hash, new TorrentMessages.GetStatus()), Poll);
            Assert.Equal(TorrentState.Failed, status.State);
            return status;
        });
        Assert.Contains("ArgumentException", failed.Error);
        Assert.Contains($"failed {TestNodes.Settings.Catalog.MaxRestarts + 1} times", failed.Error);
        Assert.Equal((broken.Metainfo.Name, broken.Metainfo.TotalLength, broken.Metainfo.PieceCount), (failed.Name, failed.TotalLength, failed.PieceCount));

        // The other torrent was never touched.
        await Eventually(async () => Assert.Equal(
            TorrentState.Seeding,
            (await node.Ask<TorrentStatus>(new ForTorrent(healthy.Metainfo.InfoHash.Hex, new TorrentMessages.GetStatus()), Poll)).State));

        // The console lists and shows it as failed, with the reason.
        var console = Sys.ActorOf(ConsoleEndpointActor.Props(node, new ConsoleNodeInfo("n", "127.0.0.1:1", broken.Root, "in-memory", broken.Root, DateTime.UtcNow, Sys, () => { }), TestNodes.Settings.Console, string.Empty));
        var listing = Assert.IsType<ConsoleMessages.TorrentListing>(await console.Ask(new ConsoleMessages.ConsoleRequest(string.Empty, new ConsoleMessages.ListNodeTorrents()), Wait));
        var listed = Assert.Single(listing.Torrents, t => t.InfoHash == hash);
        Assert.Equal(("failed", failed.Error), (listed.State, listed.Error));
        Assert.Contains(listing.Torrents, t => t.InfoHash == healthy.Metainfo.InfoHash.Hex && t.State == "seeding");
        var shown = Assert.IsType<ConsoleMessages.TorrentDetail>(await console.Ask(new ConsoleMessages.ConsoleRequest(string.Empty, new ConsoleMessages.ShowTorrent(hash[..8])), Wait));
        Assert.Equal("failed", shown.Torrent.State);
        Assert.Equal("content.bin", Assert.Single(shown.Files).Path);

        // Removable like any torrent; then it is gone.
        var removed = Assert.IsType<ConsoleMessages.Done>(await console.Ask(new ConsoleMessages.ConsoleRequest(string.Empty, new ConsoleMessages.RemoveNodeTorrent(hash[..8], DeleteData: false)), Wait));
        Assert.Contains("removed", removed.Message);
        Assert.IsType<UnknownTorrent>(await node.Ask(new ForTorrent(hash, new TorrentMessages.GetStatus()), Wait));
        var after = await node.Ask<TorrentList>(new ListTorrents(), Wait);
        Assert.Equal([healthy.Metainfo.InfoHash.Hex], after.Torrents.Select(t => t.InfoHash));
    }

    private async Task<T> Eventually<T>(Func<Task<T>> attempt)
    {
        T result = default!;
        await AwaitAssertAsync(async () => result = await attempt(), Wait, TimeSpan.FromMilliseconds(100));
        return result;
    }

    private Task Eventually(Func<Task> attempt) => AwaitAssertAsync(attempt, Wait, TimeSpan.FromMilliseconds(100));
}
