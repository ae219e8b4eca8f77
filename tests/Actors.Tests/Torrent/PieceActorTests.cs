using System.Security.Cryptography;
using Akka.Actor;
using Swarm.Actors.Storage;
using Swarm.Actors.Torrent;
using Xunit;
using Xunit.Abstractions;
using static Swarm.Actors.Torrent.PieceMessages;

namespace Swarm.Actors.Tests.Torrent;

/// <summary>The piece actor's last line of defence: only whole blocks of their own length enter the buffer, and a
/// piece names every peer that sent part of it.</summary>
public sealed class PieceActorTests(ITestOutputHelper output) : Akka.TestKit.Xunit2.TestKit("akka.loglevel = INFO", output: output)
{
    private const int Block = 16384;
    private static readonly PieceContributor Honest = new(1, "10.0.0.1:6881", "aa");
    private static readonly PieceContributor Hostile = new(2, "10.0.0.2:6881", "bb");

    [Fact]
    public void Short_long_and_misaligned_blocks_are_ignored_and_the_piece_completes_from_the_right_ones()
    {
        // A reused buffer full of stale bytes: a short block that was taken would leave some of them in the piece.
        var pool = new PieceBufferPool(1 << 20);
        var stale = new byte[(2 * Block) + 100];
        Array.Fill(stale, (byte)0xEE);
        pool.Return(stale);
        var content = new byte[(Block * 2) + 100];
        new Random(3).NextBytes(content);
        var storage = CreateTestProbe();
        var piece = Sys.ActorOf(PieceActor.Props(5, content.Length, SHA1.HashData(content), Block, storage, TestActor, pool, stale.Length));

        piece.Tell(new AssembleBlock(Hostile, 0, content[..100])); // short
        piece.Tell(new AssembleBlock(Hostile, 2 * Block, content[(2 * Block)..].Concat(new byte[50]).ToArray())); // final block, too long
        piece.Tell(new AssembleBlock(Hostile, 2 * Block, content[(2 * Block)..^1])); // final block, short
        piece.Tell(new AssembleBlock(Hostile, 10, content[10..(10 + Block)])); // not on a block boundary
        piece.Tell(new AssembleBlock(Hostile, 3 * Block, new byte[Block])); // past the piece
        piece.Tell(new AssembleBlock(Honest, 0, content[..Block]));
        piece.Tell(new AssembleBlock(Honest, Block, content[Block..(2 * Block)]));
        piece.Tell(new AssembleBlock(Honest, 2 * Block, content[(2 * Block)..]));

        var hashed = ExpectMsg<PieceHashed>();
        Assert.True(hashed.Valid);
        Assert.Equal([Honest], hashed.Contributors);
        var write = storage.ExpectMsg<StorageMessages.WritePiece>();
        Assert.Equal(content, write.Buffer.AsSpan(0, write.Length).ToArray());
    }

    [Fact]
    public void A_bad_piece_names_each_peer_that_sent_part_of_it_with_its_endpoint_and_peer_id()
    {
        var content = new byte[2 * Block];
        new Random(4).NextBytes(content);
        var piece = Sys.ActorOf(PieceActor.Props(0, content.Length, SHA1.HashData(content), Block, CreateTestProbe(), TestActor, new PieceBufferPool(1), content.Length));

        piece.Tell(new AssembleBlock(Honest, 0, content[..Block]));
        piece.Tell(new AssembleBlock(Hostile, Block, new byte[Block]));

        var hashed = ExpectMsg<PieceHashed>();
        Assert.False(hashed.Valid);
        Assert.Equal([Honest, Hostile], hashed.Contributors.OrderBy(c => c.Peer));
    }

    [Fact]
    public void Blocks_of_one_batch_are_taken_one_by_one_a_lying_one_among_them_refused()
    {
        var pool = new PieceBufferPool(1 << 20);
        var stale = new byte[3 * Block];
        Array.Fill(stale, (byte)0xEE);
        pool.Return(stale);
        var content = new byte[3 * Block];
        new Random(5).NextBytes(content);
        var storage = CreateTestProbe();
        var piece = Sys.ActorOf(PieceActor.Props(2, content.Length, SHA1.HashData(content), Block, storage, TestActor, pool, stale.Length));

        // One batch: a short block first (it must not claim the slot), then every block, then a late duplicate.
        piece.Tell(new AssembleBlocks(
        [
            new AssembleBlock(Hostile, Block, content[Block..(Block + 100)]),
            new AssembleBlock(Honest, 0, content[..Block]),
            new AssembleBlock(Honest, Block, content[Block..(2 * Block)]),
            new AssembleBlock(Honest, 2 * Block, content[(2 * Block)..]),
            new AssembleBlock(Hostile, 0, new byte[Block]),
        ]));

        var hashed = ExpectMsg<PieceHashed>();
        Assert.True(hashed.Valid);
        Assert.Equal([Honest], hashed.Contributors);
        var write = storage.ExpectMsg<StorageMessages.WritePiece>();
        Assert.Equal(content, write.Buffer.AsSpan(0, write.Length).ToArray());
    }
}
