using System.Net;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.ConsoleEndpoint;
using Swarm.Actors.Magnet;
using Swarm.Actors.Peers;
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
            MetadataFetcher.FetchAsync((IPEndPoint)listener.LocalEndPoint!, torrent.Metainfo.InfoHash, Handshake.NewPeerId(), 1, 16 << 20, Wait, TimeProvider.System, new PeerDialer(null), CancellationToken.None));
        Assert.Contains("hashes to", error.Message);
        await liar;
    }

    [Fact]
    public async Task A_lying_peer_is_passed_over_and_the_torrent_comes_from_an_honest_one()
    {
        using var torrent = new TestTorrent(length: 512 << 10, pieceLength: 1 << 14);
        var (seeder, seederListen) = TestNodes.Start(Sys, "honest");
        await seeder.Ask<CatalogMessages.TorrentAccepted>(new CatalogMessages.AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions(SeedOnly: true)), Wait);
        using var listener = RawPeer.Listen();
        _ = Liar(listener, torrent);

        var (leecher, _) = TestNodes.Start(Sys, "leecher");
        var magnet = new MagnetLink(torrent.Metainfo.InfoHash, null, [], []);
        var outDir = torrent.NewDir("out");
        // The liar comes first, so it is asked first.
        var added = await leecher.Ask<CatalogMessages.TorrentAccepted>(
            new CatalogMessages.AddMagnet(magnet, outDir, new TorrentOptions(Peers: [(IPEndPoint)listener.LocalEndPoint!, seederListen])), Wait);
        Assert.Equal(torrent.Metainfo.InfoHash.Hex, added.InfoHash);
        await AwaitAssertAsync(
            async () => Assert.Equal(TorrentState.Seeding, (await leecher.Ask<TorrentStatus>(new CatalogMessages.ForTorrent(added.InfoHash, new TorrentMessages.GetStatus()), Wait)).State),
            Wait);
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
    }

    [Fact]
    public async Task A_kept_magnet_is_listed_at_once_survives_a_restart_and_becomes_the_torrent_once_a_peer_serves_it()
    {
        using var torrent = new TestTorrent(length: 512 << 10, pieceLength: 1 << 14);
        var seederPort = TestNodes.UnusedPort();
        var magnet = new MagnetLink(torrent.Metainfo.InfoHash, "kept.bin", [], [$"127.0.0.1:{seederPort}"]);
        var outDir = torrent.NewDir("out");
        var nodeId = $"leecher-{Guid.NewGuid():N}";
        var (leecher, _) = TestNodes.Start(Sys, "leecher", nodeId);

        var pending = await leecher.Ask<CatalogMessages.MagnetPending>(new CatalogMessages.AddMagnet(magnet, outDir, new TorrentOptions(), Keep: true), Wait);
        Assert.Equal(("kept.bin", outDir), (pending.Name, pending.SavePath));
        var listed = Assert.Single((await leecher.Ask<CatalogMessages.TorrentList>(new CatalogMessages.ListTorrents(), Wait)).Torrents);
        Assert.Equal((torrent.Metainfo.InfoHash.Hex, TorrentState.Metadata), (listed.InfoHash, listed.State));
        var details = await leecher.Ask<TorrentDetails>(new CatalogMessages.ForTorrent(listed.InfoHash, new TorrentMessages.GetDetails()), Wait);
        Assert.Equal((TorrentState.Metadata, 0, 0), (details.Status.State, details.Files.Count, details.Bitfield.Length));
        // The same link again is the same pending magnet, not a second fetch.
        Assert.IsType<CatalogMessages.MagnetPending>(await leecher.Ask(new CatalogMessages.AddMagnet(magnet, outDir, new TorrentOptions(), Keep: true), Wait));

        // A restart (same node id, same journal) goes on fetching it.
        this.StopAndWait(leecher, Wait);
        (leecher, _) = TestNodes.Start(Sys, "leecher-again", nodeId);
        await AwaitAssertAsync(
            async () => Assert.Equal(TorrentState.Metadata, Assert.Single((await leecher.Ask<CatalogMessages.TorrentList>(new CatalogMessages.ListTorrents(), Wait)).Torrents).State),
            Wait);

        // The peer named by the link shows up: metadata, then pieces.
        var (seeder, _) = TestNodes.Start(Sys, "late-seeder", port: seederPort);
        await seeder.Ask<CatalogMessages.TorrentAccepted>(new CatalogMessages.AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions(SeedOnly: true)), Wait);
        await AwaitAssertAsync(
            async () => Assert.Equal(TorrentState.Seeding, Assert.Single((await leecher.Ask<CatalogMessages.TorrentList>(new CatalogMessages.ListTorrents(), Wait)).Torrents).State),
            TimeSpan.FromSeconds(60));
        Assert.Equal(torrent.Content, await File.ReadAllBytesAsync(Path.Combine(outDir, "content.bin")));
    }

    [Fact]
    public async Task A_pending_magnet_removed_stays_removed_after_a_restart()
    {
        var magnet = new MagnetLink(new Protocol.InfoHash(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray()), null, [], [$"127.0.0.1:{TestNodes.UnusedPort()}"]);
        var nodeId = $"remover-{Guid.NewGuid():N}";
        var (node, _) = TestNodes.Start(Sys, "remover", nodeId);
        var hash = (await node.Ask<CatalogMessages.MagnetPending>(new CatalogMessages.AddMagnet(magnet, Path.GetTempPath(), new TorrentOptions(), Keep: true), Wait)).InfoHash;
        var resolved = await node.Ask<CatalogMessages.TorrentResolved>(new CatalogMessages.ResolveTorrent(hash[..10]), Wait);
        Assert.True(resolved.AwaitingMetadata);

        Assert.IsType<CatalogMessages.RemoveTorrentReply>(await node.Ask(new CatalogMessages.RemoveTorrent(hash), Wait));
        Assert.Empty((await node.Ask<CatalogMessages.TorrentList>(new CatalogMessages.ListTorrents(), Wait)).Torrents);

        this.StopAndWait(node, Wait);
        (node, _) = TestNodes.Start(Sys, "remover-again", nodeId);
        Assert.Empty((await node.Ask<CatalogMessages.TorrentList>(new CatalogMessages.ListTorrents(), Wait)).Torrents);
        Assert.IsType<CatalogMessages.TorrentNotResolved>(await node.Ask(new CatalogMessages.ResolveTorrent(hash), Wait));
    }

    [Fact]
    public async Task A_round_ends_at_its_deadline_on_the_nodes_clock_with_every_peers_reason()
    {
        var settings = TestNodes.Settings.Magnet;
        Assert.True(settings.MetadataTimeout > Wait, "the wall clock alone must not be able to pass this test");
        var clock = new ManualClock();
        var node = NodeContext.Create($"magnet-{Guid.NewGuid():N}", TestNodes.Settings, TestNodes.UnusedPort(), clock);
        var nobody = new IPEndPoint(IPAddress.Loopback, TestNodes.UnusedPort());
        var magnet = new MagnetLink(new Protocol.InfoHash(Enumerable.Range(1, 20).Select(i => (byte)i).ToArray()), null, [], [nobody.ToString()]);
        var actor = Sys.ActorOf(MagnetActor.Props(magnet, Path.GetTempPath(), new TorrentOptions(), node, TestActor, keep: false));
        // Answered once the actor has started its round, so that the round's deadline is set before the clock moves.
        await actor.Ask<TorrentStatus>(new TorrentMessages.GetStatus(), Wait);

        clock.Advance(settings.MetadataTimeout + TimeSpan.FromSeconds(1));

        var rejected = ExpectMsg<CatalogMessages.AddTorrentRejected>(Wait);
        Assert.Contains($"within {settings.MetadataTimeout.TotalSeconds:0} s", rejected.Reason);
        Assert.Contains(nobody.ToString(), rejected.Reason); // it was tried, and refused, meanwhile
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
