using System.Net;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>A v2-only torrent known only by its info dictionary (a magnet) fetches its piece layers from peers (BEP 52):
/// a peer answering hashes that do not prove out against the pieces root is banned like a lying peer, and the layers
/// from an honest one let the download verify and finish.</summary>
public sealed class PieceLayerFetchTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private const int PieceLength = 1 << 16;

    [Fact]
    public async Task A_peer_sending_wrong_layer_hashes_is_banned_and_an_honest_peer_s_layers_complete_the_download()
    {
        using var torrent = new TestTorrent(length: 1 << 20, pieceLength: PieceLength, seed: 21);
        var full = V2Of(torrent.Content);
        var bare = MetainfoParser.ParseInfoDictionary(full.InfoBytes, full.InfoHash);
        Assert.Empty(bare.V2!.PieceLayers);
        var serving = new HashServing(full);
        using var liarListener = RawPeer.Listen();
        using var honestListener = RawPeer.Listen();
        using var stop = new CancellationTokenSource();
        var liarAsked = 0;

        var liar = Task.Run(async () =>
        {
            await using var peer = await RawPeer.AcceptAsync(liarListener, full.InfoHash, full.PieceCount).WaitAsync(stop.Token);
            await peer.SendAsync(HaveAll.Instance);
            await peer.SendAsync(Unchoke.Instance);
            while (await peer.ReceiveAsync<HashRequest>(Wait) is { } r)
            {
                Interlocked.Increment(ref liarAsked);
                var reply = (HashesReply)serving.Answer(r);
                var forged = reply.Hashes.ToArray();
                forged[5] ^= 0x40;
                await peer.SendAsync(reply with { Hashes = forged });
            }
        });

        var honest = Task.Run(async () =>
        {
            await using var peer = await RawPeer.AcceptAsync(honestListener, full.InfoHash, full.PieceCount).WaitAsync(stop.Token);
            await peer.SendAsync(HaveAll.Instance);
            await peer.SendAsync(Unchoke.Instance);
            while (!stop.IsCancellationRequested && await peer.ReceiveAsync(Wait).WaitAsync(stop.Token) is { } m)
            {
                if (m is HashRequest h)
                {
                    await peer.SendAsync(serving.Answer(h));
                }
                else if (m is Request r)
                {
                    await peer.SendAsync(new PieceBlock(r.Piece, r.Begin, torrent.Content.AsSpan((r.Piece * PieceLength) + r.Begin, r.Length).ToArray()));
                }
            }
        });

        var (leecher, _) = TestNodes.Start(Sys, "leecher");
        var outDir = torrent.NewDir("out");
        var added = await leecher.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddTorrent(bare, outDir, new TorrentOptions(Peers: [(IPEndPoint)liarListener.LocalEndPoint!])),
            Wait);

        // Only the liar at first, so that it is the one asked; banned for its hashes, then the honest peer is offered.
        await TestNodes.AwaitStatus(leecher, added.InfoHash, s => s.BannedPeers == 1, TimeSpan.FromSeconds(60), Wait);
        Assert.True(Volatile.Read(ref liarAsked) >= 1);
        leecher.Tell(new CatalogMessages.ForTorrent(added.InfoHash, new TorrentMessages.AddPeers([(IPEndPoint)honestListener.LocalEndPoint!], "test")));

        var status = await TestNodes.AwaitStatus(leecher, added.InfoHash, s => s.State == TorrentState.Seeding, TimeSpan.FromSeconds(90), Wait);
        await stop.CancelAsync();
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
        Assert.Equal(0, status.HashFailures); // nothing was picked before the layer was proved
        Assert.Equal(1, status.BannedPeers);
        await Task.WhenAll(liar, honest).WaitAsync(Wait).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>A v2-only single-file torrent of <paramref name="content"/> named content.bin, with its piece layer.</summary>
    private static TorrentMetainfo V2Of(byte[] content)
    {
        var roots = new List<byte>();
        for (var at = 0; at < content.Length; at += PieceLength)
        {
            roots.AddRange(MerkleTree.PieceRoot(content.AsSpan(at, Math.Min(PieceLength, content.Length - at)), PieceLength));
        }

        var bytes = TorrentBuilderV2.Create("content.bin", [new V2BuildFile(["content.bin"], content.Length, [.. roots], null)], isFolder: false, PieceLength, hybrid: false, new TorrentBuildOptions([]));
        return MetainfoParser.Parse(bytes);
    }
}
