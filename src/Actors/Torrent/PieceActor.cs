using Akka.Actor;
using Swarm.Actors.Storage;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Torrent.PieceMessages;

namespace Swarm.Actors.Torrent;

/// <summary>One piece being downloaded: assembles its blocks in a pooled buffer, checks its hashes (SHA-1, v2 merkle
/// root or both, as <see cref="PieceExpectation"/> says; so hashing
/// never runs on a connection actor), then hands the buffer to storage. Stops itself when done. Only a whole block at
/// a block boundary, of exactly that block's length, is copied in (the connection and the picker check this first;
/// this is the last line): a short block would leave stale bytes of the reused buffer inside the piece.
/// A torrent of small pieces starts one of these per piece (262,144 for 256 MiB in 1 KiB pieces), so it is built
/// cheaply: an untyped actor (no match handler built per instance) made by a producer that calls its constructor,
/// not by reflection over an expression tree as Props.Create does.</summary>
public sealed class PieceActor : UntypedActor
{
    private readonly int _piece;
    private readonly int _size;
    private readonly PieceExpectation _expected;
    private readonly int _blockLength;
    private readonly IActorRef _storage;
    private readonly IActorRef _torrent;
    private readonly PieceBufferPool _pool;
    private readonly bool[] _received;
    // Most pieces come from one peer: a set per piece (65,536 per GiB of 16 KiB pieces) for a one-entry answer was
    // garbage on the data path (issue 14). The others, in the order they first sent a block, without repeats.
    private PieceContributor? _firstContributor;
    private List<PieceContributor>? _otherContributors;
    private byte[]? _buffer;
    private int _receivedCount;

    public PieceActor(int piece, int size, PieceExpectation expected, int blockLength, IActorRef storage, IActorRef torrent, PieceBufferPool pool, int pieceLength)
    {
        _piece = piece;
        _size = size;
        _expected = expected;
        _blockLength = blockLength;
        _storage = storage;
        _torrent = torrent;
        _received = new bool[(size + blockLength - 1) / blockLength];
        _pool = pool;
        _buffer = pool.Rent(pieceLength);
    }

    public static Props Props(int piece, int size, PieceExpectation expected, int blockLength, IActorRef storage, IActorRef torrent, PieceBufferPool pool, int pieceLength) =>
        DirectProps.Of(() => new PieceActor(piece, size, expected, blockLength, storage, torrent, pool, pieceLength));

    /// <summary>A v1 piece known by its SHA-1 alone.</summary>
    public static Props Props(int piece, int size, byte[] expectedSha1, int blockLength, IActorRef storage, IActorRef torrent, PieceBufferPool pool, int pieceLength) =>
        Props(piece, size, PieceExpectation.V1(expectedSha1), blockLength, storage, torrent, pool, pieceLength);

    protected override void PostStop()
    {
        if (_buffer is not null)
        {
            _pool.Return(_buffer);
            _buffer = null;
        }
    }

    protected override void OnReceive(object message)
    {
        if (message is AssembleBlock b)
        {
            OnBlock(b);
        }
        else if (message is AssembleBlocks bs)
        {
            // Each block is taken (or refused) and its pooled array given back, even those after the last one needed.
            foreach (var one in bs.Blocks)
            {
                OnBlock(one);
            }
        }
        else
        {
            Unhandled(message);
        }
    }

    private void OnBlock(AssembleBlock b)
    {
        try
        {
            Assemble(b);
        }
        finally
        {
            if (b.Pooled)
            {
                BlockBuffers.Return(b.Data);
            }
        }
    }

    private void Assemble(AssembleBlock b)
    {
        var index = b.Begin / _blockLength;
        if (_buffer is null || b.Begin < 0 || b.Begin % _blockLength != 0 || index >= _received.Length || _received[index]
            || b.Data.Length != Math.Min(_blockLength, _size - b.Begin))
        {
            return;
        }

        b.Data.CopyTo(_buffer.AsSpan(b.Begin));
        _received[index] = true;
        _receivedCount++;
        AddContributor(b.From);
        if (_receivedCount < _received.Length)
        {
            return;
        }

        if (_expected.Matches(_buffer.AsSpan(0, _size)))
        {
            // Storage answers the torrent with PieceWritten; only then is the piece verified.
            _storage.Tell(new StorageMessages.WritePiece(_piece, _buffer, _size), _torrent);
            _buffer = null;
            _torrent.Tell(new PieceHashed(_piece, true, Contributors()));
        }
        else
        {
            _torrent.Tell(new PieceHashed(_piece, false, Contributors()));
        }

        Context.Stop(Self);
    }

    private void AddContributor(PieceContributor from)
    {
        if (_firstContributor is not { } first)
        {
            _firstContributor = from;
        }
        else if (!first.Equals(from) && !(_otherContributors?.Contains(from) ?? false))
        {
            (_otherContributors ??= []).Add(from);
        }
    }

    private PieceContributor[] Contributors() =>
        _firstContributor is not { } first ? [] : _otherContributors is null ? [first] : [first, .. _otherContributors];
}
