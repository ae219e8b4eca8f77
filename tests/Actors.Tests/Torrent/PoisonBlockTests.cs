using System.Net;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>Only requested data (issue 13): a hostile peer sends blocks nobody asked it for, and short blocks, for the
/// very blocks an honest peer is serving. None of them may enter a piece; the honest peer must not pay for them.</summary>
public sealed class PoisonBlockTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const int PieceLength = 1 << 16;

    [Fact]
    public async Task Unrequested_and_short_blocks_racing_an_honest_peer_never_enter_a_piece_and_the_sender_is_banned()
    {
        using var torrent = new TestTorrent(length: 1 << 20, pieceLength: PieceLength, seed: 7);
        using var honestListener = RawPeer.Listen();
        using var hostileListener = RawPeer.Listen();
        using var stop = new CancellationTokenSource();
        var honestRequests = new TaskCompletionSource<IReadOnlyList<Request>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var poisonSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var hostileConnections = 0;
        var honestConnections = 0;

        // The honest seeder takes the leecher's first requests and holds them until the poison has been delivered, so
        // the poison arrives first, for exactly the blocks in flight (the worst case: an attacker that guessed right).
        var honest = Task.Run(async () =>
        {
            await using var peer = await RawPeer.AcceptAsync(honestListener, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount).WaitAsync(stop.Token);
            Interlocked.Increment(ref honestConnections);
            await peer.SendAsync(HaveAll.Instance);
            await peer.SendAsync(Unchoke.Instance);
            var held = new List<Request>();
            while (held.Count < 12 && await peer.ReceiveAsync<Request>(Wait) is { } r)
            {
                held.Add(r);
            }

            honestRequests.SetResult(held);
            await poisonSent.Task.WaitAsync(stop.Token);
            foreach (var r in held)
            {
                await peer.SendAsync(HonestBlock(torrent, r));
            }

            await Serve(peer, torrent, stop.Token);
        });

        var hostile = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var peer = await RawPeer.AcceptAsync(hostileListener, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount).WaitAsync(stop.Token);
                if (Interlocked.Increment(ref hostileConnections) > 1)
                {
                    continue; // dialled again: the assertions below fail on the count
                }

                await peer.SendAsync(HaveNone.Instance); // never unchokes: nothing is ever requested from it
                var targets = await honestRequests.Task.WaitAsync(stop.Token);
                var junk = new Random(13);
                try
                {
                    foreach (var (r, i) in targets.Select((r, i) => (r, i)))
                    {
                        // Half full-length forgeries, half short ones (a 100-byte block at the same offset).
                        var data = new byte[i % 2 == 0 ? r.Length : 100];
                        junk.NextBytes(data);
                        await peer.SendAsync(new PieceBlock(r.Piece, r.Begin, data));
                    }
                }
                catch (IOException)
                {
                    // closed on us mid-spray: exactly what should happen
                }

                Assert.True(await peer.ClosedWithinAsync(Wait), "the leecher should hang up on a peer sending unrequested blocks");
                poisonSent.SetResult();
            }
        });

        var (leecher, _) = TestNodes.Start(Sys, "leecher");
        var outDir = torrent.NewDir("out");
        var hostileEndPoint = (IPEndPoint)hostileListener.LocalEndPoint!;
        var added = await leecher.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddTorrent(torrent.Metainfo, outDir, new TorrentOptions(Peers: [(IPEndPoint)honestListener.LocalEndPoint!, hostileEndPoint])),
            Wait);

        var status = await TestNodes.AwaitStatus(leecher, added.InfoHash, s => s.State == TorrentState.Seeding, TimeSpan.FromSeconds(90), Wait);
        await stop.CancelAsync();

        Assert.True(poisonSent.Task.IsCompletedSuccessfully, "the poison was delivered and the hostile peer disconnected before the honest data");
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
        Assert.Equal(0, status.HashFailures); // no forged or short block ever entered a piece
        Assert.Equal(1, status.BannedPeers); // the hostile peer only: the honest one served the whole download
        Assert.Equal(1, Volatile.Read(ref honestConnections));

        // Offered again (a tracker lists it once more), the banned peer is not dialled: a fresh endpoint given after it is.
        using var probeListener = RawPeer.Listen();
        var probe = RawPeer.AcceptAsync(probeListener, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);
        leecher.Tell(new CatalogMessages.ForTorrent(added.InfoHash, new TorrentMessages.AddPeers([hostileEndPoint, (IPEndPoint)probeListener.LocalEndPoint!], "test")));
        await using (await probe.WaitAsync(Wait))
        {
        }

        Assert.Equal(1, Volatile.Read(ref hostileConnections));
        await Task.WhenAll(honest, hostile).WaitAsync(Wait).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task A_peer_answering_our_requests_with_short_blocks_is_banned_and_the_honest_peer_completes_the_piece()
    {
        using var torrent = new TestTorrent(length: 1 << 20, pieceLength: PieceLength, seed: 8);
        using var honestListener = RawPeer.Listen();
        using var shortListener = RawPeer.Listen();
        using var stop = new CancellationTokenSource();
        var shortAnswers = 0;
        var shortchangerAsked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The honest peer unchokes only once the other has been asked: the leecher's first requests go to the liar.
        var honest = Task.Run(async () =>
        {
            await using var peer = await RawPeer.AcceptAsync(honestListener, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount).WaitAsync(stop.Token);
            await peer.SendAsync(HaveAll.Instance);
            await shortchangerAsked.Task.WaitAsync(stop.Token);
            await peer.SendAsync(Unchoke.Instance);
            await Serve(peer, torrent, stop.Token);
        });

        var shortchanger = Task.Run(async () =>
        {
            await using var peer = await RawPeer.AcceptAsync(shortListener, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount).WaitAsync(stop.Token);
            await peer.SendAsync(HaveAll.Instance);
            await peer.SendAsync(Unchoke.Instance);
            try
            {
                while (await peer.ReceiveAsync(Wait).WaitAsync(stop.Token) is { } m)
                {
                    if (m is Request r)
                    {
                        // The right bytes, cut short: a piece assembled from it would keep stale buffer bytes.
                        var honestBlock = HonestBlock(torrent, r);
                        await peer.SendAsync(new PieceBlock(r.Piece, r.Begin, honestBlock.Data[..(r.Length / 2)]));
                        Interlocked.Increment(ref shortAnswers);
                        shortchangerAsked.TrySetResult();
                    }
                }
            }
            catch (IOException)
            {
                // closed on us mid-answer: exactly what should happen
            }
        });

        var (leecher, _) = TestNodes.Start(Sys, "leecher");
        var outDir = torrent.NewDir("out");
        var added = await leecher.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddTorrent(torrent.Metainfo, outDir, new TorrentOptions(Peers: [(IPEndPoint)shortListener.LocalEndPoint!, (IPEndPoint)honestListener.LocalEndPoint!])),
            Wait);

        var status = await TestNodes.AwaitStatus(leecher, added.InfoHash, s => s.State == TorrentState.Seeding, TimeSpan.FromSeconds(90), Wait);
        await shortchanger.WaitAsync(Wait); // ends when the leecher hangs up on it (a timeout fails the test)
        await stop.CancelAsync();

        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
        Assert.Equal(0, status.HashFailures);
        Assert.True(Volatile.Read(ref shortAnswers) > TestNodes.Settings.ReceivedBlocks.MaxUnrequested, $"the liar answered {shortAnswers} requests");
        Assert.Equal(1, status.BannedPeers);
        await honest.WaitAsync(Wait);
    }

    private static PieceBlock HonestBlock(TestTorrent torrent, Request r) =>
        new(r.Piece, r.Begin, torrent.Content.AsSpan((r.Piece * PieceLength) + r.Begin, r.Length).ToArray());

    /// <summary>Answers every request with the right bytes until the other side closes or the test ends.</summary>
    private static async Task Serve(RawPeer peer, TestTorrent torrent, CancellationToken stop)
    {
        try
        {
            while (await peer.ReceiveAsync(Wait).WaitAsync(stop) is { } m)
            {
                if (m is Request r)
                {
                    await peer.SendAsync(HonestBlock(torrent, r));
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
        }
    }
}
