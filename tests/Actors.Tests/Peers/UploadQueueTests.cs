using Akka.Actor;
using Swarm.Actors.Peers;
using Swarm.Actors.Tests.Support;
using Swarm.Protocol.PeerWire;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Peers.PeerConnectionMessages;

namespace Swarm.Actors.Tests.Peers;

/// <summary>Requests queued for upload (issue 14: handed to the write loop a batch at a time): a cancelled one is
/// neither served nor rejected, a choke rejects (BEP 6) exactly those still queued, and every request is answered once.
/// The peer does not read, so the write loop stalls on the full socket with most requests still queued: what it had
/// taken by then is bounded by its flush size, far below the requests asked.</summary>
public sealed class UploadQueueTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit(TestNodes.Config, output: output)
{
    private const int PieceLength = 16 * 1024;
    private const int Pieces = 128;
    private const int Asked = 120; // ≤ peer.max-incoming-requests and 1.9 MiB: over what the stalled loop can take
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public void Pending_requests_are_counted_refused_twice_and_taken_once()
    {
        var requests = new UploadRequests();
        var a = new UploadBlock(1, 0, 100);
        var b = new UploadBlock(1, 100, 50);
        Assert.True(requests.TryAdd(a));
        Assert.False(requests.TryAdd(a));
        Assert.True(requests.TryAdd(b));
        Assert.Equal((2, 150L), (requests.Count, requests.Bytes));
        Assert.True(requests.TryTake(a));
        Assert.False(requests.TryTake(a));
        Assert.Equal((1, 50L), (requests.Count, requests.Bytes));
        Assert.Equal([b], requests.TakeAll());
        Assert.Equal((0, 0L), (requests.Count, requests.Bytes));
        Assert.False(requests.TryTake(b));
        Assert.True(requests.TryAdd(b)); // asked again after it was taken: a new request
    }

    [Fact]
    public async Task A_cancel_drops_a_queued_request_and_a_choke_rejects_the_rest_each_answered_once()
    {
        using var torrent = new TestTorrent(length: Pieces * PieceLength, pieceLength: PieceLength);
        await using var upload = await UploadConnection.OpenAsync(this, torrent, "upload-queue", Wait, socketBuffers: 4096);
        var connection = upload.Actor;
        var peer = upload.Peer;

        var asked = Enumerable.Range(0, Asked).Select(p => new Request(p, 0, PieceLength)).ToList();
        await peer.SendRawAsync(asked.SelectMany(r => PeerMessageWriter.ToArray(r)).ToArray());
        var cancelled = asked[^2];
        // NotInterested behind the cancel: once the actor reports it, it has handled the cancel (same order on the wire).
        await peer.SendRawAsync([.. PeerMessageWriter.ToArray(new Cancel(cancelled.Piece, cancelled.Begin, cancelled.Length)), .. PeerMessageWriter.ToArray(NotInterested.Instance)]);
        FishForMessage<PeerInterest>(i => !i.Interested, Wait);
        connection.Tell(new SetChoke(true));

        var served = new List<int>();
        var rejected = new List<int>();
        var choked = false;
        while (served.Count + rejected.Count < Asked - 1)
        {
            switch (await peer.ReceiveAsync(Wait))
            {
                case null:
                    Assert.Fail($"closed after {served.Count} blocks and {rejected.Count} rejects");
                    break;
                case PieceBlock block:
                    Assert.False(choked, $"block of piece {block.Piece} after the choke");
                    var at = block.Piece * PieceLength;
                    Assert.Equal(torrent.Content[at..(at + PieceLength)], block.Data[..PieceLength]);
                    served.Add(block.Piece);
                    break;
                case Choke:
                    choked = true;
                    break;
                case RejectRequest r:
                    Assert.True(choked);
                    rejected.Add(r.Piece);
                    break;
            }
        }

        Assert.True(rejected.Count > 0, $"{served.Count} served before the choke, none rejected");
        Assert.Equal(asked.Select(r => r.Piece).Where(p => p != cancelled.Piece).Order(), served.Concat(rejected).Order());

        // Nothing more for the cancelled request: the next answer is the reject of a request asked while choked.
        await peer.SendAsync(new Request(0, 0, PieceLength));
        var next = await peer.ReceiveAsync(Wait);
        while (next is KeepAlive)
        {
            next = await peer.ReceiveAsync(Wait);
        }

        Assert.Equal(new RejectRequest(0, 0, PieceLength), next);
    }
}
