using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Torrent;

public sealed class TorrentSupervisionTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_peer_that_breaks_the_protocol_loses_only_its_own_connection()
    {
        using var torrent = new TestTorrent(length: 1 << 20, pieceLength: 1 << 16);
        var (node, listen) = TestNodes.Start(Sys, "seeder");
        var hash = await Seed(node, torrent);

        await using (var rogue = await RawPeer.ConnectAsync(listen, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount))
        {
            // A bitfield one byte too long: the connection actor throws and its supervisor stops it.
            await rogue.SendRawAsync(PeerMessageWriter.ToArray(new Bitfield(new byte[(torrent.Metainfo.PieceCount / 8) + 2])));
            Assert.True(await rogue.ClosedWithinAsync(Wait), "the node should close a peer that breaks the protocol");
        }

        var status = await node.Ask<TorrentStatus>(new CatalogMessages.ForTorrent(hash, new TorrentMessages.GetStatus()), Wait);
        Assert.Equal(TorrentState.Seeding, status.State);

        // The torrent still serves a well-behaved peer, byte-exact.
        await using var good = await RawPeer.ConnectAsync(listen, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        await good.SendAsync(HaveNone.Instance);
        await good.SendAsync(Interested.Instance);
        Assert.NotNull(await good.ReceiveAsync<Unchoke>(Wait));
        await good.SendAsync(new Request(3, 16384, 16384));
        var block = await good.ReceiveAsync<PieceBlock>(Wait);
        Assert.NotNull(block);
        Assert.Equal(torrent.Content.AsSpan((3 << 16) + 16384, 16384).ToArray(), block!.Data);
    }

    [Fact]
    public async Task An_oversized_message_is_refused_before_its_body_arrives()
    {
        using var torrent = new TestTorrent(length: 1 << 20, pieceLength: 1 << 16);
        var (node, listen) = TestNodes.Start(Sys, "seeder");
        await Seed(node, torrent);

        await using var rogue = await RawPeer.ConnectAsync(listen, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        // Header of a 100 MB "piece" message, and no body: the node must hang up on the header alone.
        await rogue.SendRawAsync([0x06, 0x00, 0x00, 0x00, 7]);
        Assert.True(await rogue.ClosedWithinAsync(Wait));
    }

    [Fact]
    public async Task A_lying_seeder_is_banned_and_the_download_completes_from_an_honest_one()
    {
        using var torrent = new TestTorrent(length: 2 << 20, pieceLength: 1 << 16);
        var (seeder, seederListen) = TestNodes.Start(Sys, "honest");
        await Seed(seeder, torrent);

        using var liarListener = RawPeer.Listen();
        var liarEndPoint = (IPEndPoint)liarListener.LocalEndPoint!;
        using var stopLiar = new CancellationTokenSource();
        var liarConnections = 0;
        var liar = Task.Run(async () =>
        {
            while (!stopLiar.IsCancellationRequested)
            {
                await using var peer = await RawPeer.AcceptAsync(liarListener, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount).WaitAsync(stopLiar.Token);
                Interlocked.Increment(ref liarConnections);
                await peer.SendAsync(HaveAll.Instance);
                await peer.SendAsync(Unchoke.Instance);
                var junk = new Random(9);
                while (await peer.ReceiveAsync(Wait).WaitAsync(stopLiar.Token) is { } m)
                {
                    if (m is Request r)
                    {
                        var data = new byte[r.Length];
                        junk.NextBytes(data);
                        await peer.SendAsync(new PieceBlock(r.Piece, r.Begin, data));
                    }
                }
            }
        });

        var (leecher, _) = TestNodes.Start(Sys, "leecher");
        var outDir = torrent.NewDir("out");
        var added = await leecher.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddTorrent(torrent.Metainfo, outDir, new TorrentOptions(Peers: [liarEndPoint])),
            Wait);
        // The honest seeder only once the liar's pieces have failed enough to ban it: given both at once, a leecher on a
        // busy machine could finish from the honest one before the liar had answered enough requests to be judged.
        await TestNodes.AwaitStatus(leecher, added.InfoHash, s => s.HashFailures >= TestNodes.Settings.Storage.HashFailuresBeforeBan, TimeSpan.FromSeconds(60), Wait);
        leecher.Tell(new CatalogMessages.ForTorrent(added.InfoHash, new TorrentMessages.AddPeers([seederListen], "test")));

        var status = await TestNodes.AwaitStatus(leecher, added.InfoHash, s => s.State == TorrentState.Seeding, TimeSpan.FromSeconds(60), Wait);
        await stopLiar.CancelAsync();

        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
        Assert.True(status.HashFailures >= TestNodes.Settings.Storage.HashFailuresBeforeBan, $"expected the liar's pieces to fail, saw {status.HashFailures} failures");
        Assert.DoesNotContain(status.Peers, p => p.EndPoint == liarEndPoint.ToString());
        Assert.Equal(1, Volatile.Read(ref liarConnections)); // banned: never dialled again
    }

    [Fact]
    public async Task A_peer_that_takes_requests_and_vanishes_does_not_stall_the_download()
    {
        // The "stuck at 99.9 %" complaint: the peer holding the outstanding requests stops answering, then leaves.
        using var torrent = new TestTorrent(length: 1 << 20, pieceLength: 1 << 16);
        var (seeder, seederListen) = TestNodes.Start(Sys, "honest");
        await Seed(seeder, torrent);

        using var holderListener = RawPeer.Listen();
        var requestsHeld = 0;
        var holder = Task.Run(async () =>
        {
            await using var peer = await RawPeer.AcceptAsync(holderListener, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
            await peer.SendAsync(HaveAll.Instance);
            await peer.SendAsync(Unchoke.Instance);
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            while (DateTime.UtcNow < until)
            {
                try
                {
                    if (await peer.ReceiveAsync(until - DateTime.UtcNow) is Request)
                    {
                        Interlocked.Increment(ref requestsHeld);
                    }
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });

        var (leecher, _) = TestNodes.Start(Sys, "leecher");
        var outDir = torrent.NewDir("out");
        var added = await leecher.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddTorrent(torrent.Metainfo, outDir, new TorrentOptions(Peers: [(IPEndPoint)holderListener.LocalEndPoint!])),
            Wait);
        await AwaitAsync(() => Volatile.Read(ref requestsHeld) > 0, Wait);

        // Only now does an honest seeder appear: everything the holder took must be fetched from it.
        leecher.Tell(new CatalogMessages.ForTorrent(added.InfoHash, new TorrentMessages.AddPeers([seederListen], "test")));
        await TestNodes.AwaitStatus(leecher, added.InfoHash, s => s.State == TorrentState.Seeding, TimeSpan.FromSeconds(60), Wait);
        await holder;
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
    }

    private async Task<string> Seed(IActorRef node, TestTorrent torrent)
    {
        var added = await node.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions(SeedOnly: true)), Wait);
        await TestNodes.AwaitStatus(node, added.InfoHash, s => s.State == TorrentState.Seeding, Wait, Wait);
        return added.InfoHash;
    }

    private static async Task AwaitAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }

            await Task.Delay(50);
        }
    }
}
