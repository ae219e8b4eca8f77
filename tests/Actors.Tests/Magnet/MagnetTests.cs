using System.Net;
using Akka.Actor;
using Swarm.Actors.Magnet;
using Swarm.Actors.Node;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Magnet;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Magnet;

/// <summary>Magnet links against a peer that lies about the metadata: it is refused by its hash, and the torrent still
/// comes from an honest node.</summary>
public sealed class MagnetTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Metadata_that_does_not_hash_to_the_info_hash_is_refused()
    {
        using var torrent = new TestTorrent(length: 256 << 10, pieceLength: 1 << 14);
        using var listener = RawPeer.Listen();
        var liar = Liar(listener, torrent);
        var error = await Assert.ThrowsAsync<PeerProtocolException>(() =>
            MetadataFetcher.FetchAsync((IPEndPoint)listener.LocalEndPoint!, torrent.Metainfo.InfoHash, Handshake.NewPeerId(), 1, 16 << 20, Wait, CancellationToken.None));
        Assert.Contains("hashes to", error.Message);
        await liar;
    }

    [Fact]
    public async Task A_lying_peer_is_passed_over_and_the_torrent_comes_from_an_honest_one()
    {
        using var torrent = new TestTorrent(length: 512 << 10, pieceLength: 1 << 14);
        var (seeder, seederListen) = TestNodes.Start(Sys, "honest");
        await seeder.Ask<NodeMessages.TorrentAccepted>(new NodeMessages.AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions(SeedOnly: true)), Wait);
        using var listener = RawPeer.Listen();
        _ = Liar(listener, torrent);

        var (leecher, _) = TestNodes.Start(Sys, "leecher");
        var magnet = new MagnetLink(torrent.Metainfo.InfoHash, null, [], []);
        var outDir = torrent.NewDir("out");
        // The liar comes first, so it is asked first.
        var added = await leecher.Ask<NodeMessages.TorrentAccepted>(
            new NodeMessages.AddMagnet(magnet, outDir, new TorrentOptions(Peers: [(IPEndPoint)listener.LocalEndPoint!, seederListen])), Wait);
        Assert.Equal(torrent.Metainfo.InfoHash.Hex, added.InfoHash);
        await AwaitAssertAsync(
            async () => Assert.Equal(TorrentState.Seeding, (await leecher.Ask<TorrentStatus>(new NodeMessages.ForTorrent(added.InfoHash, new TorrentMessages.GetStatus()), Wait)).State),
            Wait);
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
    }

    /// <summary>One connection: announces the right metadata size, then answers every request with random bytes.</summary>
    private static async Task Liar(System.Net.Sockets.Socket listener, TestTorrent torrent)
    {
        await using var peer = await RawPeer.AcceptAsync(listener, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount, extensions: true);
        var size = torrent.Metainfo.InfoBytes.Length;
        var junk = new byte[size];
        new Random(5).NextBytes(junk);
        await peer.SendAsync(new Extended(0, new ExtensionHandshake(new Dictionary<string, int> { [MetadataMessage.ExtensionName] = 7 }, "liar", null, size, null).Encode()));
        int? theirs = null;
        while (await peer.ReceiveAsync(TimeSpan.FromSeconds(10)) is { } message)
        {
            switch (message)
            {
                case Extended { ExtendedId: 0 } x:
                    theirs = ExtensionHandshake.Decode(x.Payload).Extensions[MetadataMessage.ExtensionName];
                    break;
                case Extended { ExtendedId: 7 } x when theirs is { } id:
                    var request = MetadataMessage.Decode(x.Payload, size);
                    await peer.SendAsync(new Extended((byte)id, MetadataMessage.DataOf(junk, request.Piece).Encode()));
                    break;
            }
        }
    }
}
