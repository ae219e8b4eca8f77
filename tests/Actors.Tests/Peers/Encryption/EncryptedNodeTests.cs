using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Swarm.Actors.Catalog;
using Swarm.Actors.Peers.Encryption;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Swarm.Protocol.Mse;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;

namespace Swarm.Actors.Tests.Peers.Encryption;

/// <summary>A real node's listener with MSE: an encrypted peer and a plain one both get in under `prefer` and the
/// torrent's peer list says which is encrypted; a garbage flood on the port is dropped and the others stay; `require`
/// closes a plain handshake.</summary>
public sealed class EncryptedNodeTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Encrypted_and_plain_peers_get_in_under_prefer_and_a_garbage_flood_drops_only_itself()
    {
        using var torrent = new TestTorrent(length: 1 << 18, pieceLength: 1 << 16);
        var (node, listen) = await SeedingNode("prefer", torrent, EncryptionPolicy.Prefer);

        using var encryptedSocket = await Connect(listen);
        await using var encrypted = await MseHandshake.InitiateAsync(new NetworkStream(encryptedSocket), torrent.Metainfo.InfoHash, CryptoMethods.Rc4, OurHandshake(torrent), new CancellationTokenSource(Wait).Token);
        Assert.Equal(torrent.Metainfo.InfoHash, await TheirHandshake(encrypted));
        Assert.True(encrypted.Encrypted);

        await using var plain = await RawPeer.ConnectAsync(listen, torrent.Metainfo.InfoHash, torrent.Metainfo.PieceCount);

        using var flooder = await Connect(listen);
        var garbage = new byte[256 * 1024];
        new Random(11).NextBytes(garbage);
        garbage[0] = 0x7f; // below P: a Ya the receiver takes, so the flood reaches the req1 search
        _ = flooder.SendAsync(garbage).ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.True(await ClosedWithin(flooder, Wait), "the garbage connection should be dropped");

        await AwaitAssertAsync(
            async () =>
            {
                var peers = (await Status(node, torrent)).Peers;
                Assert.Equal(2, peers.Count);
                Assert.Single(peers, p => p.Encrypted);
                Assert.Single(peers, p => !p.Encrypted);
            },
            Wait);
        Assert.False(await plain.ClosedWithinAsync(TimeSpan.FromMilliseconds(300)), "the plain peer should stay connected");
    }

    [Fact]
    public async Task Require_closes_a_plain_handshake()
    {
        using var torrent = new TestTorrent(length: 1 << 18, pieceLength: 1 << 16);
        var (_, listen) = await SeedingNode("require", torrent, EncryptionPolicy.Require);
        using var socket = await Connect(listen);
        await socket.SendAsync(OurHandshake(torrent));
        Assert.True(await ClosedWithin(socket, Wait), "a plain handshake should be refused when encryption is required");
    }

    private async Task<(IActorRef Node, IPEndPoint Listen)> SeedingNode(string name, TestTorrent torrent, EncryptionPolicy policy)
    {
        var settings = TestNodes.Settings with { Peer = TestNodes.Settings.Peer with { Encryption = policy } };
        var (node, listen, _) = TestNodes.Start(Sys, name, settings);
        await node.Ask<CatalogMessages.TorrentAccepted>(new CatalogMessages.AddTorrent(torrent.Metainfo, torrent.SeedDir, new TorrentOptions(SeedOnly: true)), Wait);
        await AwaitAssertAsync(async () => Assert.Equal(TorrentState.Seeding, (await Status(node, torrent)).State), Wait);
        return (node, listen);
    }

    private static Task<TorrentStatus> Status(IActorRef node, TestTorrent torrent) =>
        node.Ask<TorrentStatus>(new CatalogMessages.ForTorrent(torrent.Metainfo.InfoHash.Hex, new TorrentMessages.GetStatus()), Wait);

    private static byte[] OurHandshake(TestTorrent torrent) =>
        new Handshake(torrent.Metainfo.InfoHash, Handshake.NewPeerId("-XX0001-"), SupportsExtensions: false, SupportsFast: true).ToArray();

    private static async Task<Swarm.Protocol.InfoHash> TheirHandshake(Stream stream)
    {
        var buffer = new byte[Handshake.Length];
        await stream.ReadExactlyAsync(buffer, new CancellationTokenSource(Wait).Token);
        return Handshake.Parse(buffer).InfoHash;
    }

    private static async Task<Socket> Connect(IPEndPoint to)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(to);
        return socket;
    }

    /// <summary>True when the node closes (or resets) the connection within the timeout; what it sent is skipped.</summary>
    private static async Task<bool> ClosedWithin(Socket socket, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
