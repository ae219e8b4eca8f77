using Swarm.Actors.Tests.Support;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Tests.Peers;

/// <summary>Issue 14 (piece count): the HAVEs a connection reads in one go reach its torrent as one message, in the
/// peer's order, without a piece announced twice; a HAVE read later comes in a message of its own.</summary>
public sealed class HaveBatchTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private const int PieceLength = 16 * 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Haves_read_together_reach_the_torrent_in_one_message_in_order()
    {
        using var torrent = new TestTorrent(length: 16 * PieceLength, pieceLength: PieceLength);
        await using var upload = await UploadConnection.OpenAsync(this, torrent, "haves", Wait);

        // One small write: one read for the connection. Piece 9 is announced twice.
        int[] announced = [9, 2, 14, 9, 0];
        await upload.Peer.SendRawAsync([.. announced.SelectMany(p => PeerMessageWriter.ToArray(new Have(p)))]);

        var batch = FishForMessage<PeerHaves>(_ => true, Wait);
        Assert.Equal(3, batch.Peer);
        Assert.Equal([9, 2, 14, 0], batch.Pieces);

        await upload.Peer.SendAsync(new Have(5));
        var later = FishForMessage<PeerHaves>(_ => true, Wait);
        Assert.Equal([5], later.Pieces);
    }
}
