using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Akka.Actor;
using Swarm.Actors.Storage;
using Swarm.Actors.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Storage.StorageMessages;

namespace Swarm.Actors.Tests.Storage;

/// <summary>Issue 14 (storage), drop-behind: once a batch is flushed, the pieces flushed before the newest
/// keptInCache bytes leave the page cache, and their data stays on disk, whole.</summary>
public sealed class StorageActorCacheTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = INFO", output: output)
{
    private const int PieceLength = 64 * 1024;

    [Fact]
    public void Flushed_pieces_past_the_window_leave_the_page_cache_and_stay_on_disk()
    {
        Assert.True(OperatingSystem.IsLinux(), "page-cache residency is read with Linux's mincore");
        var content = new byte[8 * PieceLength];
        new Random(5).NextBytes(content);
        var meta = SmallPieceTorrent.Of(content, PieceLength);
        var dir = Directory.CreateTempSubdirectory("swarm-storage-cache-").FullName;
        try
        {
            using var handles = new FileHandlePool(4);
            var storage = new TorrentStorage(meta, dir, handles);
            var actor = Sys.ActorOf(StorageActor.Props(storage, 1, new PieceBufferPool(4), keptInCache: 3 * PieceLength)
                .WithDispatcher(Akka.Dispatch.Dispatchers.DefaultDispatcherId));
            for (var piece = 0; piece < 8; piece++)
            {
                actor.Tell(new WritePiece(piece, content[(piece * PieceLength)..((piece + 1) * PieceLength)], PieceLength));
                Assert.Equal(piece, FishForMessage<PieceWritten>(_ => true, TimeSpan.FromSeconds(20)).Piece);
            }

            var path = Path.Combine(dir, "content.bin");
            Assert.All(Enumerable.Range(0, 8), p => Assert.True(ResidentPages(path, p) > 0, $"piece {p} was just written"));

            actor.Tell(new Flush([0, 1, 2, 3]));
            ExpectMsg<Flushed>(TimeSpan.FromSeconds(30));
            Assert.Equal(0, ResidentPages(path, 0)); // four flushed, three kept: the oldest one goes
            Assert.True(ResidentPages(path, 1) > 0);

            actor.Tell(new Flush([6, 5, 4, 7]));
            ExpectMsg<Flushed>(TimeSpan.FromSeconds(30));
            Assert.All([0, 1, 2, 3, 6], p => Assert.Equal(0, ResidentPages(path, p)));
            Assert.All([5, 4, 7], p => Assert.True(ResidentPages(path, p) > 0, $"piece {p} is in the window"));

            Assert.Equal(content, File.ReadAllBytes(path));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Off_leaves_flushed_pieces_in_the_cache()
    {
        var content = new byte[4 * PieceLength];
        new Random(6).NextBytes(content);
        var meta = SmallPieceTorrent.Of(content, PieceLength);
        var dir = Directory.CreateTempSubdirectory("swarm-storage-cache-").FullName;
        try
        {
            using var handles = new FileHandlePool(4);
            var actor = Sys.ActorOf(StorageActor.Props(new TorrentStorage(meta, dir, handles), 1, new PieceBufferPool(4))
                .WithDispatcher(Akka.Dispatch.Dispatchers.DefaultDispatcherId));
            actor.Tell(new WritePiece(0, content, content.Length, Count: 4));
            Assert.Equal(new PieceWritten(0, 4), FishForMessage<PieceWritten>(_ => true, TimeSpan.FromSeconds(20)));

            actor.Tell(new Flush([0, 1, 2, 3]));
            ExpectMsg<Flushed>(TimeSpan.FromSeconds(30));

            var path = Path.Combine(dir, "content.bin");
            Assert.All(Enumerable.Range(0, 4), p => Assert.True(ResidentPages(path, p) > 0, $"piece {p} stays cached"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>How many pages of a piece the page cache holds (mincore on a fresh mapping, which faults nothing in).</summary>
    private static int ResidentPages(string path, int piece)
    {
        using var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        using var view = map.CreateViewAccessor((long)piece * PieceLength, PieceLength, MemoryMappedFileAccess.Read);
        var handle = view.SafeMemoryMappedViewHandle;
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var page = Environment.SystemPageSize;
            // The view starts on a page boundary PointerOffset bytes before the piece.
            var start = handle.DangerousGetHandle();
            var length = view.PointerOffset + PieceLength;
            var vec = new byte[(length + page - 1) / page];
            Assert.Equal(0, Mincore(start, (nuint)length, vec));
            return vec.Skip((int)(view.PointerOffset / page)).Count(b => (b & 1) != 0);
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    [DllImport("libc", EntryPoint = "mincore", SetLastError = true)]
    private static extern int Mincore(IntPtr addr, nuint length, byte[] vec);
}
