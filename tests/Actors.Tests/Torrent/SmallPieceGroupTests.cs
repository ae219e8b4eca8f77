using System.Net;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>A torrent of pieces smaller than a block, hashed by group actors (issue 14): a bad piece inside a group is
/// wanted again and fetched again while its group goes on, and the download completes with the right bytes.</summary>
public sealed class SmallPieceGroupTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const int PieceLength = 1024;
    private const int Corrupted = 37;

    [Fact]
    public async Task A_bad_small_piece_is_fetched_again_and_the_download_completes()
    {
        // The builder makes pieces of 16 KiB or more (as libtorrent does); other clients' torrents may cut smaller.
        using var torrent = new TestTorrent(length: 600 * PieceLength, pieceLength: 1 << 14, seed: 9);
        var meta = SmallPieceTorrent.Of(torrent.Content, PieceLength);
        using var listener = RawPeer.Listen();
        using var stop = new CancellationTokenSource();
        var corruptedSent = 0;
        var seeder = Task.Run(async () =>
        {
            await using var peer = await RawPeer.AcceptAsync(listener, meta.InfoHash, meta.PieceCount).WaitAsync(stop.Token);
            await peer.SendAsync(HaveAll.Instance);
            await peer.SendAsync(Unchoke.Instance);
            try
            {
                while (await peer.ReceiveAsync(Wait).WaitAsync(stop.Token) is { } m)
                {
                    if (m is Request r)
                    {
                        var data = torrent.Content.AsSpan((r.Piece * PieceLength) + r.Begin, r.Length).ToArray();
                        if (r.Piece == Corrupted && Interlocked.Increment(ref corruptedSent) == 1)
                        {
                            data[0] ^= 0xFF; // the first answer for this piece is wrong
                        }

                        await peer.SendAsync(new PieceBlock(r.Piece, r.Begin, data));
                    }
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
        });

        var (leecher, _) = TestNodes.Start(Sys, "leecher");
        var outDir = torrent.NewDir("out");
        var added = await leecher.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddTorrent(meta, outDir, new TorrentOptions(Peers: [(IPEndPoint)listener.LocalEndPoint!])),
            Wait);

        var status = await TestNodes.AwaitStatus(leecher, added.InfoHash, s => s.State == TorrentState.Seeding, TimeSpan.FromSeconds(90), Wait);
        await stop.CancelAsync();

        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
        Assert.Equal(1, status.HashFailures);
        Assert.Equal(2, Volatile.Read(ref corruptedSent));
        await seeder.WaitAsync(Wait);
    }
}
