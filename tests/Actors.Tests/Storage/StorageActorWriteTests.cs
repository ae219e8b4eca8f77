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
}
