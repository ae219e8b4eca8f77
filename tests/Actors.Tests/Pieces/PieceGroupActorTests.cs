using System.Security.Cryptography;
using Akka.Actor;
using Swarm.Actors.Pieces;
using Swarm.Actors.Storage;
using Swarm.Actors.Tests.Support;
using Swarm.Actors.Torrent;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Pieces.PieceGroupMessages;
using static Swarm.Actors.Torrent.PieceMessages;

namespace Swarm.Actors.Tests.Pieces;

/// <summary>The actor hashing a group of small pieces: each whole piece is checked on its own, a valid one goes to
/// storage with the sender named, a bad or wrong-sized one is reported against its sender and never written.</summary>
public sealed class PieceGroupActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = INFO", output: output)
{
    private static readonly PieceContributor Honest = new(1, "10.0.0.1:6881", "aa");
    private static readonly PieceContributor Hostile = new(2, "10.0.0.2:6881", "bb");

    [Fact]
    public void Each_piece_is_hashed_on_its_own_and_only_valid_ones_are_written()
    {
        var content = new byte[10 * 1024];
        new Random(5).NextBytes(content);
        var meta = SmallPieceTorrent.Of(content, 1024);
        var storage = CreateTestProbe();
        var group = Sys.ActorOf(PieceGroupActor.Props(meta, storage, TestActor, new PieceBufferPool(4), 8 * 1024));

        group.Tell(new HashSmallPieces([new SmallPiece(3, Hostile, new byte[1024], Pooled: false)]));
        group.Tell(new HashSmallPieces([new SmallPiece(4, Hostile, content[(4 * 1024)..(5 * 1024 - 1)], Pooled: false)])); // one byte short
        group.Tell(new HashSmallPieces([new SmallPiece(2, Honest, content[(2 * 1024)..(3 * 1024)], Pooled: false)]));

        Assert.Equal((3, false, Hostile), Report(ExpectMsg<PieceHashed>()));
        Assert.Equal((4, false, Hostile), Report(ExpectMsg<PieceHashed>()));
        Assert.Equal((2, true, Honest), Report(ExpectMsg<PieceHashed>()));
        var write = storage.ExpectMsg<StorageMessages.WritePiece>();
        Assert.Equal((2, 1024), (write.Piece, write.Length));
        Assert.Equal(content[(2 * 1024)..(3 * 1024)], write.Buffer.AsSpan(0, write.Length).ToArray());
        storage.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the bad ones were not written
        Assert.True(SHA1.HashData(write.Buffer.AsSpan(0, write.Length)).AsSpan().SequenceEqual(meta.PieceHash(2)));
    }

    [Fact]
    public void The_valid_pieces_of_a_batch_that_follow_each_other_are_written_at_once_after_their_reports()
    {
        var content = new byte[10 * 1024];
        new Random(6).NextBytes(content);
        var meta = SmallPieceTorrent.Of(content, 1024);
        // Torrent and storage are one mailbox here, so the order of reports and writes shows.
        // Runs of at most four pieces: the fifth in a row starts a new write.
        var group = Sys.ActorOf(PieceGroupActor.Props(meta, TestActor, TestActor, new PieceBufferPool(4), 4 * 1024));
        SmallPiece Piece(int i, PieceContributor from) => new(i, from, content[(i * 1024)..((i + 1) * 1024)], Pooled: false);
        var bad = new SmallPiece(3, Hostile, new byte[1024], Pooled: false);

        group.Tell(new HashSmallPieces([Piece(0, Honest), Piece(1, Honest), Piece(2, Honest), bad, Piece(4, Honest), Piece(5, Honest), Piece(6, Honest), Piece(7, Honest), Piece(8, Honest), Piece(9, Honest)]));

        var reports = new List<(int, bool, PieceContributor)>();
        var writes = new List<StorageMessages.WritePiece>();
        while (writes.Count < 3)
        {
            switch (ExpectMsg<object>())
            {
                case SmallPiecesHashed batch:
                    reports.AddRange(batch.Pieces.Select(r => (r.Piece, r.Valid, r.From)));
                    break;
                case PieceHashed one:
                    reports.Add(Report(one));
                    break;
                case StorageMessages.WritePiece w:
                    Assert.All(Enumerable.Range(w.Piece, w.Count), p => Assert.Contains(reports, r => r.Item1 == p && r.Item2));
                    writes.Add(w);
                    break;
            }
        }

        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], reports.Select(r => r.Item1));
        Assert.Equal([(3, false, Hostile)], reports.Where(r => !r.Item2));
        // 0-2, then 4-7 (four fill the buffer), then 8-9: the bad piece and the full buffer each end a run.
        Assert.Equal([(0, 3), (4, 4), (8, 2)], writes.Select(w => (w.Piece, w.Count)));
        foreach (var w in writes)
        {
            Assert.Equal(content.AsSpan(w.Piece * 1024, w.Count * 1024).ToArray(), w.Buffer.AsSpan(0, w.Length).ToArray());
        }

        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void Pieces_out_of_order_are_written_apart()
    {
        var content = new byte[4 * 1024];
        new Random(7).NextBytes(content);
        var meta = SmallPieceTorrent.Of(content, 1024);
        var storage = CreateTestProbe();
        var group = Sys.ActorOf(PieceGroupActor.Props(meta, storage, TestActor, new PieceBufferPool(4), 4 * 1024));
        SmallPiece Piece(int i) => new(i, Honest, content[(i * 1024)..((i + 1) * 1024)], Pooled: false);

        group.Tell(new HashSmallPieces([Piece(2), Piece(3), Piece(0)]));

        var writes = Enumerable.Range(0, 2).Select(_ => storage.ExpectMsg<StorageMessages.WritePiece>()).ToList();
        Assert.Equal([(2, 2), (0, 1)], writes.Select(w => (w.Piece, w.Count)));
        Assert.Equal(content.AsSpan(2 * 1024, 2 * 1024).ToArray(), writes[0].Buffer.AsSpan(0, writes[0].Length).ToArray());
        Assert.Equal(content.AsSpan(0, 1024).ToArray(), writes[1].Buffer.AsSpan(0, writes[1].Length).ToArray());
    }

    [Fact]
    public void A_run_is_written_from_a_buffer_sized_to_its_batch_not_to_the_group()
    {
        // Issue 14 (piece count): a batch of a few pieces rents a buffer for a few pieces (powers of two), not the
        // group's 8 KiB: buffers of a group's size each made 4 KiB pieces allocate large arrays throughout a download.
        var content = new byte[10 * 1024];
        new Random(8).NextBytes(content);
        var meta = SmallPieceTorrent.Of(content, 1024);
        var storage = CreateTestProbe();
        var group = Sys.ActorOf(PieceGroupActor.Props(meta, storage, TestActor, new PieceBufferPool(4), 8 * 1024));
        SmallPiece Piece(int i) => new(i, Honest, content[(i * 1024)..((i + 1) * 1024)], Pooled: false);

        group.Tell(new HashSmallPieces([Piece(0)]));
        group.Tell(new HashSmallPieces([Piece(1), Piece(2), Piece(3)]));
        group.Tell(new HashSmallPieces([Piece(4), Piece(5), Piece(6), Piece(7), Piece(8), Piece(9)]));

        var writes = Enumerable.Range(0, 3).Select(_ => storage.ExpectMsg<StorageMessages.WritePiece>()).ToList();
        Assert.Equal([(0, 1, 1024), (1, 3, 4096), (4, 6, 8192)], writes.Select(w => (w.Piece, w.Count, w.Buffer.Length)));
        Assert.All(writes, w => Assert.Equal(content.AsSpan(w.Piece * 1024, w.Length).ToArray(), w.Buffer.AsSpan(0, w.Length).ToArray()));
    }

    private static (int, bool, PieceContributor) Report(PieceHashed h) => (h.Piece, h.Valid, Assert.Single(h.Contributors));
}
