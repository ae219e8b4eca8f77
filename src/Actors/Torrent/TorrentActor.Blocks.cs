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
        switch (Accept(b))
        {
            case (var piece, AssembleBlock block, _):
                piece.Tell(block);
                break;
            case (var group, _, SmallPiece small):
                group.Tell(new HashSmallPieces([small]));
                break;
        }
    }

    /// <summary>Issue 14 (data path): a connection's vetted blocks of one batch, each taken as <see cref="OnBlockArrived"/>
    /// takes one; each piece actor (or small pieces' group actor) hears once, with its blocks of the batch.</summary>
    private void OnBlocksArrived(BlocksArrived batch)
    {
        var byPiece = new List<(IActorRef Piece, List<AssembleBlock> Blocks)>(2);
        var byGroup = new List<(IActorRef Group, List<SmallPiece> Pieces)>(1);
        for (var i = 0; i < batch.Blocks.Count; i++)
        {
            switch (Accept(batch.Blocks[i]))
            {
                case (var piece, AssembleBlock block, _):
                    Gather(byPiece, piece, block, 1);
                    break;
                case (var group, _, SmallPiece small):
                    // A group's list is made for the rest of the batch: a batch of small pieces is mostly one group's.
                    Gather(byGroup, group, small, batch.Blocks.Count - i);
                    break;
            }
        }

        foreach (var (piece, blocks) in byPiece)
        {
            piece.Tell(blocks.Count == 1 ? blocks[0] : new AssembleBlocks(blocks));
        }

        foreach (var (group, pieces) in byGroup)
        {
            group.Tell(new HashSmallPieces(pieces));
        }
    }

    /// <summary>Adds <paramref name="item"/> to its actor's list (a new one made for <paramref name="capacity"/> items);
    /// a batch holds an actor's items one after another, so the last actor is the likely one.</summary>
    private static void Gather<T>(List<(IActorRef To, List<T> Items)> lists, IActorRef to, T item, int capacity)
    {
        var i = lists.Count - 1;
        while (i >= 0 && !lists[i].To.Equals(to))
        {
            i--;
        }

        if (i < 0)
        {
            lists.Add((to, new List<T>(capacity) { item }));
        }
        else
        {
            lists[i].Items.Add(item);
        }
    }

    private static void Drop(BlocksArrived batch)
    {
        foreach (var b in batch.Blocks)
        {
            Drop(b);
        }
    }

    /// <summary>Where a wanted block goes and as what: to its piece actor (started on the piece's first block) as an
    /// <see cref="AssembleBlock"/>, or, for a grouped piece (whole in one block), to its group's actor as a
    /// <see cref="SmallPiece"/>; null when the block is dropped. Cancels the duplicates asked of other peers
    /// (endgame).</summary>
    private (IActorRef To, AssembleBlock? Block, SmallPiece? Small)? Accept(BlockArrived b)
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
            return (GroupActor(b.Piece), null, new SmallPiece(b.Piece, contributor.Value, b.Data, b.Pooled));
        }

        if (!_pieceActors.TryGetValue(b.Piece, out var piece))
        {
            piece = Context.Watch(Context.ActorOf(
                PieceActor.Props(b.Piece, _meta.PieceSize(b.Piece), PieceExpectation.For(_meta, b.Piece), _node.Settings.Peer.BlockLength, _storageActor, Self, _node.Buffers, _meta.PieceLength),
                TorrentChildren.Piece(b.Piece, ++_pieceActorsStarted)));
            _pieceActors[b.Piece] = piece;
            _pieceByRef[piece] = b.Piece;
        }

        return (piece, new AssembleBlock(contributor.Value, b.Begin, b.Data, b.Pooled), null);
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

    /// <summary>The actor hashing the group of a grouped piece, started if the group has none; the piece
    /// is counted as sent to it.</summary>
    private IActorRef GroupActor(int piece)
    {
        var group = _groups.GroupOf(piece);
        if (!_groupActors.TryGetValue(group, out var actor))
        {
            actor = Context.Watch(Context.ActorOf(
                PieceGroupActor.Props(_meta, _storageActor, Self, _node.Buffers, (int)Math.Min(int.MaxValue, (long)_groups.Size * _meta.PieceLength)),
                TorrentChildren.Piece(group * _groups.Size, ++_pieceActorsStarted)));
            _groupActors[group] = actor;
            _groupByRef[actor] = group;
            _groups.Open(group, p => _picker!.Have[p] || _awaitingWrite.Contains(p));
        }

        _groups.Sent(piece);
        return actor;
    }

    /// <summary>A small-piece group's reports of one batch, each taken as its own <see cref="PieceHashed"/>; in every
    /// behaviour, as PieceHashed is (TorrentActor.SmallPieces.cs).</summary>
    private void ReceiveSmallPieceReports() => Receive<SmallPiecesHashed>(OnSmallPiecesHashed);

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
