using Akka.Actor;
using Swarm.Actors.Pieces;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.Pieces.PieceGroupMessages;
using static Swarm.Actors.Torrent.PieceMessages;
using static Swarm.Actors.Torrent.TorrentMessages;

namespace Swarm.Actors.Torrent;

// Blocks to pieces: handing a connection the blocks to ask for, its received blocks to their piece actors (or a small
// piece's group), endgame cancels, and stopping the piece actors.
public sealed partial class TorrentActor
{
    private void AnswerNeedBlocks(NeedBlocks n, bool pick)
    {
        IReadOnlyList<BlockRef> blocks = [];
        if (_backlog.Behind)
        {
            _backlog = _backlog.Starve(n.Peer);
        }
        else if (pick && _peers.TryGet(n.Peer, out var entry))
        {
            blocks = _picker!.Pick(n.Peer, Pickable(entry.Has), n.Count);
        }

        Sender.Tell(new BlocksAssigned(blocks));
    }

    /// <summary>A block its connection vetted (we asked that peer for it, with this length). The picker decides
    /// whether it is still wanted; a banned peer's blocks, still in the mailbox, never enter a piece.</summary>
    private void OnBlockArrived(BlockArrived b)
    {
        if (Accept(b) is { } accepted)
        {
            accepted.Piece.Tell(accepted.Block);
        }
    }

    /// <summary>Issue 14 (data path): a connection's vetted blocks of one batch, each taken as <see cref="OnBlockArrived"/>
    /// takes one; each piece actor hears once, with its blocks of the batch.</summary>
    private void OnBlocksArrived(BlocksArrived batch)
    {
        var byPiece = new List<(IActorRef Piece, List<AssembleBlock> Blocks)>(2);
        foreach (var b in batch.Blocks)
        {
            if (Accept(b) is not { } accepted)
            {
                continue;
            }

            var (piece, block) = accepted;
            var i = byPiece.Count - 1; // a batch holds a piece's blocks one after another: the last piece is the likely one
            while (i >= 0 && !byPiece[i].Piece.Equals(piece))
            {
                i--;
            }

            if (i < 0)
            {
                byPiece.Add((piece, [block]));
            }
            else
            {
                byPiece[i].Blocks.Add(block);
            }
        }

        foreach (var (piece, blocks) in byPiece)
        {
            piece.Tell(blocks.Count == 1 ? blocks[0] : new AssembleBlocks(blocks));
        }
    }

    private static void Drop(BlocksArrived batch)
    {
        foreach (var b in batch.Blocks)
        {
            Drop(b);
        }
    }

    /// <summary>The piece actor a wanted block goes to (started on the piece's first block) and the block as it gets
    /// it; null when the block is dropped or went whole to its small-piece group. Cancels the duplicates asked of other
    /// peers (endgame).</summary>
    private (IActorRef Piece, AssembleBlock Block)? Accept(BlockArrived b)
    {
        var contributor = _peers.TryGet(b.Peer, out var from)
            ? (from.Banned ? null : new PieceContributor(b.Peer, from.EndPointText, from.PeerId))
            : WebSeedContributor(b.Peer); // issue 17
        if (contributor is null)
        {
            Drop(b);
            return null;
        }

        var others = _picker!.BlockReceived(b.Piece, b.Begin, b.Data.Length, b.Peer, out _);
        if (others is null)
        {
            Drop(b); // a duplicate from endgame, or a block we no longer need
            return null;
        }

        CancelDuplicates(b, others);
        if (_groups.Grouped)
        {
            ToGroup(b, contributor.Value); // a piece smaller than a block is whole: its group's actor hashes it
            return null;
        }

        if (!_pieceActors.TryGetValue(b.Piece, out var piece))
        {
            piece = Context.Watch(Context.ActorOf(
                PieceActor.Props(b.Piece, _meta.PieceSize(b.Piece), PieceExpectation.For(_meta, b.Piece), _node.Settings.Peer.BlockLength, _storageActor, Self, _node.Buffers, _meta.PieceLength),
                TorrentChildren.Piece(b.Piece, ++_pieceActorsStarted)));
            _pieceActors[b.Piece] = piece;
            _pieceByRef[piece] = b.Piece;
        }

        return (piece, new AssembleBlock(contributor.Value, b.Begin, b.Data, b.Pooled));
    }

    /// <summary>Endgame: the same block asked of other peers is cancelled there.</summary>
    private void CancelDuplicates(BlockArrived b, IReadOnlyList<int> others)
    {
        if (others.Count == 0)
        {
            return;
        }

        var cancel = new CancelBlocks([new BlockRef(b.Piece, b.Begin, b.Data.Length)]);
        foreach (var o in others)
        {
            if (_peers.TryGet(o, out var other))
            {
                other.Ref.Tell(cancel);
            }
        }
    }

    /// <summary>A piece smaller than a block arrived whole: to its group's actor, started if the group has none.</summary>
    private void ToGroup(BlockArrived b, PieceContributor contributor)
    {
        var group = _groups.GroupOf(b.Piece);
        if (!_groupActors.TryGetValue(group, out var actor))
        {
            actor = Context.Watch(Context.ActorOf(
                PieceGroupActor.Props(_meta, _storageActor, Self, _node.Buffers),
                TorrentChildren.Piece(group * _groups.Size, ++_pieceActorsStarted)));
            _groupActors[group] = actor;
            _groupByRef[actor] = group;
            _groups.Open(group, p => _picker!.Have[p] || _awaitingWrite.Contains(p));
        }

        _groups.Sent(b.Piece);
        actor.Tell(new HashSmallPiece(b.Piece, contributor, b.Data, b.Pooled));
    }

    private void StopGroup(int group)
    {
        _groups.Close(group);
        if (_groupActors.Remove(group, out var actor))
        {
            _groupByRef.Remove(actor);
            Context.Unwatch(actor);
            Context.Stop(actor);
        }
    }

    private static void Drop(BlockArrived b)
    {
        if (b.Pooled)
        {
            BlockBuffers.Return(b.Data);
        }
    }

    private void OnReleaseBlocks(ReleaseBlocks r)
    {
        foreach (var b in r.Blocks)
        {
            _picker?.Release(r.Peer, b.Piece, b.Begin);
        }
    }

    private void StopPieceActors()
    {
        foreach (var piece in _pieceActors.Values)
        {
            Context.Unwatch(piece);
            Context.Stop(piece);
        }

        _pieceActors.Clear();
        _pieceByRef.Clear();
        foreach (var group in _groupActors.Values)
        {
            Context.Unwatch(group);
            Context.Stop(group);
        }

        _groupActors.Clear();
        _groupByRef.Clear();
        _groups.Clear();
    }
}
