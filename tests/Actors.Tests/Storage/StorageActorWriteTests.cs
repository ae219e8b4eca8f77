using Akka.Actor;
using Swarm.Actors.Storage;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Storage.StorageMessages;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (data path): a run of consecutive small pieces is written at once, and answered as written in one
/// message only after the write; the buffer goes back to the pool.</summary>
public sealed class StorageActorWriteTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = INFO", output: output)
{
    [Fact]
    public void A_run_of_pieces_is_written_at_once_and_answered_at_once()
    {
        var content = new byte[10 * 1024 + 300]; // a short last piece
        new Random(11).NextBytes(content);
        var meta = SmallPieceTorrent.Of(content, 1024);
        var dir = Directory.CreateTempSubdirectory("swarm-storage-run-").FullName;
        try
        {
            using var handles = new FileHandlePool(4);
            var storage = new TorrentStorage(meta, dir, handles);
            var pool = new PieceBufferPool(1 << 20);
            var actor = Sys.ActorOf(StorageActor.Props(storage, 1, pool).WithDispatcher(Akka.Dispatch.Dispatchers.DefaultDispatcherId));

            var run = new byte[8 * 1024];
            content.AsSpan(7 * 1024).CopyTo(run);
            actor.Tell(new WritePiece(7, run, content.Length - (7 * 1024), Count: 4));

            Assert.Equal(new PieceWritten(7, 4), FishForMessage<PieceWritten>(_ => true));
            var onDisk = File.ReadAllBytes(Path.Combine(dir, "content.bin"));
            Assert.Equal(content.Length, onDisk.Length);
            Assert.Equal(content[(7 * 1024)..], onDisk[(7 * 1024)..]);
            Assert.All(onDisk[..(7 * 1024)], b => Assert.Equal(0, b)); // nothing else was written
            Assert.Same(run, pool.Rent(run.Length));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Writes_one_at_a_time_are_each_answered_once_after_their_data_is_on_disk()
    {
        var content = new byte[40 * 1024 + 100];
        new Random(12).NextBytes(content);
        var meta = SmallPieceTorrent.Of(content, 1024);
        var dir = Directory.CreateTempSubdirectory("swarm-storage-runs-").FullName;
        try
        {
            using var handles = new FileHandlePool(4);
            var pool = new PieceBufferPool(1 << 20);
            var actor = Sys.ActorOf(StorageActor.Props(new TorrentStorage(meta, dir, handles), 1, pool, runBytes: 8 * 1024)
                .WithDispatcher(Akka.Dispatch.Dispatchers.DefaultDispatcherId));

            // Told back to back, so that some wait in the mailbox together; out of order too, and a run of two.
            int[] order = [.. Enumerable.Range(0, 20), 30, 31, 32, 25, 26, 27, 28, 29, 21, 20, 24, 23, 22, 33, 34, 35, 36, 37, 38, 39, 40];
            foreach (var piece in order.Where(p => p != 21))
            {
                var count = piece == 20 ? 2 : 1; // 20 and 21 come in one write
                var length = Math.Min(count * 1024, content.Length - (piece * 1024));
                var buffer = new byte[length];
                content.AsSpan(piece * 1024, length).CopyTo(buffer);
                actor.Tell(new WritePiece(piece, buffer, length, count));
            }

            var reported = new List<int>();
            while (reported.Count < meta.PieceCount)
            {
                var w = FishForMessage<PieceWritten>(_ => true, TimeSpan.FromSeconds(20));
                var onDisk = File.ReadAllBytes(Path.Combine(dir, "content.bin"));
                for (var piece = w.Piece; piece < w.Piece + w.Count; piece++)
                {
                    var size = meta.PieceSize(piece);
                    Assert.Equal(content.AsSpan(piece * 1024, size).ToArray(), onDisk.AsSpan(piece * 1024, size).ToArray());
                    reported.Add(piece);
                }
            }

            Assert.Equal(Enumerable.Range(0, meta.PieceCount), reported.Order()); // each once
            actor.Tell(new Flush([.. reported]));
            ExpectMsg<Flushed>(TimeSpan.FromSeconds(30));
            Assert.Equal(content, File.ReadAllBytes(Path.Combine(dir, "content.bin")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_held_back_run_takes_only_the_next_piece_from_its_sender_within_its_bytes()
    {
        var torrent = CreateTestProbe().Ref;
        var other = CreateTestProbe().Ref;
        var run = new PendingWrites(4096);
        Assert.True(run.Continues(new WritePiece(9, new byte[1024], 1024), other)); // anything starts an empty run

        run.Add(new WritePiece(4, new byte[2048], 1500, Count: 2), torrent);
        Assert.True(run.Continues(new WritePiece(6, new byte[1024], 1024), torrent));
        Assert.False(run.Continues(new WritePiece(7, new byte[1024], 1024), torrent)); // a gap
        Assert.False(run.Continues(new WritePiece(5, new byte[1024], 1024), torrent)); // behind it
        Assert.False(run.Continues(new WritePiece(6, new byte[1024], 1024), other));
        Assert.False(run.Continues(new WritePiece(6, new byte[4096], 2597), torrent)); // past 4096 bytes
        Assert.Throws<InvalidOperationException>(() => run.Add(new WritePiece(7, new byte[1024], 1024), torrent));

        var last = new byte[1024];
        run.Add(new WritePiece(6, last, 1000), torrent);
        Assert.Equal((4, 3, 2500L), (run.First, run.Count, run.Bytes));
        Assert.Equal([1500, 1000], run.Parts().Select(p => p.Length));
        Assert.Equal(torrent, run.ReplyTo);
        Assert.Same(last, run.Take()[1]);
        Assert.True(run.IsEmpty);
        Assert.Equal(0, run.Bytes);
    }
}
