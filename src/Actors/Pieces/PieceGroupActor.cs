using Akka.Actor;
using Swarm.Actors.Storage;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Pieces.PieceGroupMessages;
using static Swarm.Actors.Torrent.PieceMessages;

namespace Swarm.Actors.Pieces;

/// <summary>Hashes the pieces of one group of consecutive pieces smaller than a block (see <see cref="PieceGroups"/>):
/// each arrives whole in one block, is checked against its hash off the torrent's mailbox, and a valid one is copied
/// into a pooled buffer handed to storage, as a piece actor does. The torrent stops it once every piece of its group
/// is hashed valid. Built cheaply, like a piece actor: untyped, made by a producer calling its constructor.</summary>
public sealed class PieceGroupActor : UntypedActor
{
    private readonly TorrentMetainfo _meta;
    private readonly IActorRef _storage;
    private readonly IActorRef _torrent;
    private readonly PieceBufferPool _pool;

    public PieceGroupActor(TorrentMetainfo meta, IActorRef storage, IActorRef torrent, PieceBufferPool pool)
    {
        _meta = meta;
        _storage = storage;
        _torrent = torrent;
        _pool = pool;
    }

    public static Props Props(TorrentMetainfo meta, IActorRef storage, IActorRef torrent, PieceBufferPool pool) =>
        Akka.Actor.Props.CreateBy(new Producer(() => new PieceGroupActor(meta, storage, torrent, pool)));

    protected override void OnReceive(object message)
    {
        if (message is HashSmallPiece p)
        {
            try
            {
                Hash(p);
            }
            finally
            {
                if (p.Pooled)
                {
                    BlockBuffers.Return(p.Data);
                }
            }
        }
        else
        {
            Unhandled(message);
        }
    }

    private void Hash(HashSmallPiece p)
    {
        var size = _meta.PieceSize(p.Piece);
        // The connection and the picker let only a whole piece through; this is the last line.
        var data = p.Data.AsSpan(0, Math.Min(p.Data.Length, size));
        if (p.Data.Length != size || !PieceExpectation.For(_meta, p.Piece).Matches(data))
        {
            _torrent.Tell(new PieceHashed(p.Piece, false, [p.From]));
            return;
        }

        var buffer = _pool.Rent(_meta.PieceLength);
        data.CopyTo(buffer);
        // Storage answers the torrent with PieceWritten; only then is the piece verified.
        _storage.Tell(new StorageMessages.WritePiece(p.Piece, buffer, size), _torrent);
        _torrent.Tell(new PieceHashed(p.Piece, true, [p.From]));
    }

    /// <summary>Calls the constructor directly: no expression tree to evaluate nor constructor to look up per group.</summary>
    private sealed class Producer(Func<PieceGroupActor> create) : IIndirectActorProducer
    {
        public Type ActorType => typeof(PieceGroupActor);

        public ActorBase Produce() => create();

        public void Release(ActorBase actor)
        {
        }
    }
}
