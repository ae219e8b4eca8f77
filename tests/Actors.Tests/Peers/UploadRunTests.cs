using Swarm.Actors.Peers;
using Swarm.Actors.Tests.Support;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Tests.Peers;

/// <summary>Issue 14 (uploads): requests queued one behind the other that continue each other on disk are read at
/// once; each still gets its own piece message, with its own bytes, in the order asked, across piece boundaries and
/// next to requests that do not follow.</summary>
public sealed class UploadRunTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private const int PieceLength = 16 * 1024;
    private const int Block = 1024;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Consecutive_requests_are_answered_each_with_its_own_bytes_in_order()
    {
        using var torrent = new TestTorrent(length: 4 * PieceLength, pieceLength: PieceLength);
        await using var upload = await UploadConnection.OpenAsync(this, torrent, "uploads", Wait);
        var connection = upload.Actor;
        var peer = upload.Peer;

        // The last blocks of piece 0 run on into piece 1; then a block of piece 3 that follows nothing; then whole
        // blocks of piece 2, in a row; all in one write, so they are queued together.
        List<Request> asked =
        [
            .. Enumerable.Range(12, 4).Select(i => new Request(0, i * Block, Block)),
            .. Enumerable.Range(0, 3).Select(i => new Request(1, i * Block, Block)),
            new Request(3, 5 * Block, Block),
            new Request(2, 0, PieceLength / 2),
            new Request(2, PieceLength / 2, PieceLength / 2),
            new Request(1, 3 * Block, 100),
        ];
        await peer.SendRawAsync(asked.SelectMany(r => PeerMessageWriter.ToArray(r)).ToArray());

        foreach (var r in asked)
        {
            var block = await peer.ReceiveAsync<PieceBlock>(Wait);
            Assert.NotNull(block);
            Assert.Equal((r.Piece, r.Begin, r.Length), (block.Piece, block.Begin, block.Data.Length));
            var at = (r.Piece * PieceLength) + r.Begin;
            Assert.Equal(torrent.Content[at..(at + r.Length)], block.Data[..r.Length]);
        }
    }
}
