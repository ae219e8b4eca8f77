using Swarm.Actors.Catalog;
using Swarm.Actors.Configuration;
using Swarm.Actors.Storage;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (footprint): the actor trims a quiet node once per burst, and never a busy one.</summary>
public sealed class MemoryTrimActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly MemoryTrimSettings Settings = new(true, TimeSpan.FromMilliseconds(50), QuietBytes: 1 << 20, MinGarbageBytes: 8 << 20);

    [Fact]
    public void A_quiet_node_after_a_burst_releases_its_pooled_piece_and_block_buffers_and_collects_once()
    {
        var pool = new PieceBufferPool(retainBytes: 1 << 20);
        pool.Return(pool.Rent(1 << 18));
        var blocks = new BlockArrayPool(BlockBuffers.StandardLength, 8);
        blocks.Return(blocks.Rent());
        long allocated = 100 << 20; // the burst: start-up, a load
        var collections = 0;
        var ticks = 0;
        Sys.ActorOf(MemoryTrimActor.Props(Settings, pool, () =>
        {
            Interlocked.Increment(ref ticks);
            return Interlocked.Read(ref allocated);
        }, () => Interlocked.Increment(ref collections), blocks: blocks));

        AwaitCondition(() => Volatile.Read(ref collections) == 1, Wait);
        Assert.Equal(0, pool.Trim()); // the actor took them
        Assert.Equal(0, blocks.Retained); // and the received blocks' arrays
        var seen = Volatile.Read(ref ticks);
        AwaitCondition(() => Volatile.Read(ref ticks) >= seen + 10, Wait);
        Assert.Equal(1, Volatile.Read(ref collections)); // nothing allocated since: left alone
    }

    [Fact]
    public void A_node_allocating_all_the_time_is_never_collected_until_it_goes_quiet()
    {
        long allocated = 0;
        var collections = 0;
        var ticks = 0;
        var busy = 1;
        Sys.ActorOf(MemoryTrimActor.Props(Settings, new PieceBufferPool(1 << 20), () =>
        {
            Interlocked.Increment(ref ticks);
            // A transfer: more than the quiet bound between every two looks.
            return Volatile.Read(ref busy) == 1 ? Interlocked.Add(ref allocated, 2 << 20) : Interlocked.Read(ref allocated);
        }, () => Interlocked.Increment(ref collections)));

        AwaitCondition(() => Volatile.Read(ref ticks) >= 20, Wait);
        Assert.Equal(0, Volatile.Read(ref collections));

        Volatile.Write(ref busy, 0);
        AwaitCondition(() => Volatile.Read(ref collections) == 1, Wait);
    }

    [Fact]
    public void A_one_shot_trims_once_when_its_first_torrent_is_ready_even_while_busy()
    {
        var pool = new PieceBufferPool(retainBytes: 1 << 20);
        pool.Return(pool.Rent(1 << 18));
        var busy = new Busy();
        Sys.ActorOf(busy.Props(pool, whenReady: true));

        // Subscribed in PreStart: wait for a look at the counter, then start-up ends (twice: two torrents, or a restart).
        AwaitCondition(() => busy.Ticks >= 2, Wait);
        Assert.Equal(0, busy.Collections);
        Sys.EventStream.Publish(new TorrentMessages.TorrentReadyForPeers("aa"));
        Sys.EventStream.Publish(new TorrentMessages.TorrentReadyForPeers("bb"));

        AwaitCondition(() => busy.Collections == 1, Wait);
        Assert.Equal(0, pool.RetainedBytes);
        AwaitMoreLooks(busy, 10);
        Assert.Equal(1, busy.Collections);
    }

    [Fact]
    public void A_one_shot_with_a_catalog_trims_once_the_catalog_has_written_what_it_was_writing()
    {
        var catalog = CreateTestProbe();
        var busy = new Busy();
        Sys.ActorOf(busy.Props(new PieceBufferPool(1 << 20), whenReady: true, catalog.Ref));

        AwaitCondition(() => busy.Ticks >= 2, Wait);
        Sys.EventStream.Publish(new TorrentMessages.TorrentReadyForPeers("aa"));
        Sys.EventStream.Publish(new TorrentMessages.TorrentReadyForPeers("bb"));
        catalog.ExpectMsg<CatalogMessages.AwaitWrites>(Wait);

        // Not before the catalog answers, however long that takes (ten looks at the counter).
        AwaitMoreLooks(busy, 10);
        Assert.Equal(0, busy.Collections);

        catalog.Reply(CatalogMessages.WritesDone.Instance);
        AwaitCondition(() => busy.Collections == 1, Wait);
        catalog.ExpectNoMsg(TimeSpan.Zero); // asked once, for the first torrent only
    }

    [Fact]
    public void A_node_does_not_trim_when_a_torrent_is_ready()
    {
        var busy = new Busy();
        Sys.ActorOf(busy.Props(new PieceBufferPool(1 << 20), whenReady: false));

        AwaitCondition(() => busy.Ticks >= 2, Wait);
        Sys.EventStream.Publish(new TorrentMessages.TorrentReadyForPeers("aa"));
        AwaitMoreLooks(busy, 10);
        Assert.Equal(0, busy.Collections);
    }

    /// <summary>Waits until the actor has looked at the counter <paramref name="looks"/> more times.</summary>
    private void AwaitMoreLooks(Busy busy, int looks)
    {
        var seen = busy.Ticks;
        AwaitCondition(() => busy.Ticks >= seen + looks, Wait);
    }

    /// <summary>A process that is never quiet (start-up running into a transfer: more than the quiet bound allocated
    /// between every two looks), counting the actor's looks at its counter and the collections it asks for.</summary>
    private sealed class Busy
    {
        private long _allocated;
        private int _collections;
        private int _ticks;

        public int Collections => Volatile.Read(ref _collections);

        public int Ticks => Volatile.Read(ref _ticks);

        public Akka.Actor.Props Props(PieceBufferPool pool, bool whenReady, Akka.Actor.IActorRef? catalog = null) =>
            MemoryTrimActor.Props(Settings, pool, () =>
            {
                Interlocked.Increment(ref _ticks);
                return Interlocked.Add(ref _allocated, 2 << 20);
            }, () => Interlocked.Increment(ref _collections), whenReady, catalog: catalog);
    }
}
