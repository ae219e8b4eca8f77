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
        var group = Sys.ActorOf(PieceGroupActor.Props(meta, storage, TestActor, new PieceBufferPool(4)));

        group.Tell(new HashSmallPiece(3, Hostile, new byte[1024], Pooled: false));
        group.Tell(new HashSmallPiece(4, Hostile, content[(4 * 1024)..(5 * 1024 - 1)], Pooled: false)); // one byte short
        group.Tell(new HashSmallPiece(2, Honest, content[(2 * 1024)..(3 * 1024)], Pooled: false));

        Assert.Equal((3, false, Hostile), Report(ExpectMsg<PieceHashed>()));
        Assert.Equal((4, false, Hostile), Report(ExpectMsg<PieceHashed>()));
        Assert.Equal((2, true, Honest), Report(ExpectMsg<PieceHashed>()));
        var write = storage.ExpectMsg<StorageMessages.WritePiece>();
        Assert.Equal((2, 1024), (write.Piece, write.Length));
        Assert.Equal(content[(2 * 1024)..(3 * 1024)], write.Buffer.AsSpan(0, write.Length).ToArray());
        storage.ExpectNoMsg(TimeSpan.FromMilliseconds(200)); // the bad ones were not written
        Assert.True(SHA1.HashData(write.Buffer.AsSpan(0, write.Length)).AsSpan().SequenceEqual(meta.PieceHash(2)));
    }

    private static (int, bool, PieceContributor) Report(PieceHashed h) => (h.Piece, h.Valid, Assert.Single(h.Contributors));
}
