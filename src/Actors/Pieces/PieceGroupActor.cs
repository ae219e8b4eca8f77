using System.Numerics;
using System.Security.Cryptography;
using Akka.Actor;
using Swarm.Actors.Storage;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;
using static Swarm.Actors.Pieces.PieceGroupMessages;
using static Swarm.Actors.Torrent.PieceMessages;

namespace Swarm.Actors.Pieces;

/// <summary>Hashes the pieces of one group of consecutive pieces of at most a block (see <see cref="PieceGroups"/>):
/// each arrives whole in one block, is checked against its hash off the torrent's mailbox, and the valid ones of a batch
/// that follow each other are copied side by side into one pooled buffer handed to storage: one write for a run of
/// pieces, where a write each cost more than the hashing (a 1 KiB piece is mostly system-call overhead). The torrent
/// stops it once every piece of its group is hashed valid. Built cheaply, like a piece actor: untyped, made by a
/// producer calling its constructor.</summary>
public sealed class PieceGroupActor : UntypedActor
{
    private readonly TorrentMetainfo _meta;
    private readonly IActorRef _storage;
    private readonly IActorRef _torrent;
    private readonly PieceBufferPool _pool;
    private readonly int _runBytes;
    private readonly List<SmallPieceReport> _reports = []; // of the batch in hand, told before any of their writes

    /// <summary>Per thread, not per actor: a group actor lives for a few batches, and the hasher is used and reset
    /// within one call.</summary>
    [ThreadStatic]
    private static IncrementalHash? _sha1;

    /// <param name="runBytes">The size of the buffer a run of pieces is written from: the group's extent in bytes (a run
    /// never leaves its group), at least one piece.</param>
    public PieceGroupActor(TorrentMetainfo meta, IActorRef storage, IActorRef torrent, PieceBufferPool pool, int runBytes)
    {
        _meta = meta;
        _storage = storage;
        _torrent = torrent;
        _pool = pool;
        _runBytes = Math.Max(runBytes, meta.PieceLength);
    }

    public static Props Props(TorrentMetainfo meta, IActorRef storage, IActorRef torrent, PieceBufferPool pool, int runBytes) =>
        DirectProps.Of(() => new PieceGroupActor(meta, storage, torrent, pool, runBytes));

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case HashSmallPieces batch:
                Take(batch.Pieces);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Take(IReadOnlyList<SmallPiece> pieces)
    {
        var run = default(Run);
        try
        {
            for (var i = 0; i < pieces.Count; i++)
            {
                var p = pieces[i];
                try
                {
                    Hash(p, pieces.Count - i, ref run);
                }
                finally
                {
                    if (p.Pooled)
                    {
                        BlockBuffers.Return(p.Data);
                    }
                }
            }

            Write(run);
            run = default;
            Report();
        }
        finally
        {
            // Hashing threw half-way: what was not reported stays unreported (the torrent wants those pieces again once
            // this actor is gone), and a run not handed to storage is not reported valid.
            _reports.Clear();
            if (run.Buffer is not null)
            {
                _pool.Return(run.Buffer);
            }
        }
    }

    /// <summary>Checks one piece; a valid one joins the run (a piece that does not follow it, or no longer fits, sends
    /// the run to storage first); its report is told before its write is asked for.</summary>
    /// <param name="left">Pieces of the batch from this one on: the longest run that can start here.</param>
    private void Hash(in SmallPiece p, int left, ref Run run)
    {
        var size = _meta.PieceSize(p.Piece);
        // The connection and the picker let only a whole piece through; this is the last line.
        var data = p.Data.AsSpan(0, Math.Min(p.Data.Length, size));
        if (p.Data.Length != size || !Matches(p.Piece, data))
        {
            _reports.Add(new SmallPieceReport(p.Piece, false, p.From));
            return;
        }

        if (run.Buffer is not null && (p.Piece != run.First + run.Count || run.Length + size > run.Buffer.Length))
        {
            Write(run);
            run = default;
        }

        if (run.Buffer is null)
        {
            run = new Run(_pool.Rent(RunBufferBytes(left)), p.Piece, 0, 0);
        }

        data.CopyTo(run.Buffer.AsSpan(run.Length));
        run = run with { Count = run.Count + 1, Length = run.Length + size };
        _reports.Add(new SmallPieceReport(p.Piece, true, p.From));
    }

    /// <summary>Issue 14 (piece count): a buffer for a run of at most <paramref name="pieces"/> pieces, not the whole
    /// extent: a connection's batch holds a few dozen small pieces, and a 256 KiB buffer each (on the large object
    /// heap, more of them in flight than the pool keeps) made a 1 GiB torrent of 4 KiB pieces allocate and collect
    /// large arrays throughout the download. Sizes are powers of two times the piece length, so that the pool sees a
    /// handful of sizes and reuses them.</summary>
    private int RunBufferBytes(int pieces) =>
        (int)Math.Min(_runBytes, (long)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, pieces)) * _meta.PieceLength);

    /// <summary>A v1 piece (a v2 torrent's pieces are 16 KiB at least, and only a v1 torrent's of one block are
    /// grouped): its SHA-1 is computed without the incremental hasher <see cref="PieceExpectation"/> sets up per piece (an OpenSSL context and a copy of
    /// the expected hash: more than hashing 1 KiB costs), by the hasher this thread keeps (issue 14, piece count: the
    /// one-shot call also made and freed an OpenSSL context per piece: in a microbenchmark ≈ 0.3 µs each, 70 ms
    /// of a 1 GiB torrent of 4 KiB pieces). Anything else goes through PieceExpectation.</summary>
    private bool Matches(int piece, ReadOnlySpan<byte> data)
    {
        if (_meta.V2 is not null || _meta.PieceHashes.Length == 0)
        {
            return PieceExpectation.For(_meta, piece).Matches(data);
        }

        Span<byte> sha1 = stackalloc byte[SHA1.HashSizeInBytes];
        var hasher = _sha1 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        hasher.AppendData(data);
        hasher.GetHashAndReset(sha1);
        return sha1.SequenceEqual(_meta.PieceHash(piece));
    }

    /// <summary>Storage answers the torrent with a PieceWritten per piece; only then is a piece verified. The reports so
    /// far go first, so the torrent hears a piece hashed before it hears it written.</summary>
    private void Write(Run run)
    {
        if (run.Buffer is not null)
        {
            Report();
            _storage.Tell(new StorageMessages.WritePiece(run.First, run.Buffer, run.Length, run.Count), _torrent);
        }
    }

    /// <summary>Tells the torrent the pieces hashed since the last report: one message for all of them.</summary>
    private void Report()
    {
        if (_reports.Count == 1)
        {
            _torrent.Tell(_reports[0].ToPieceHashed());
        }
        else if (_reports.Count > 1)
        {
            _torrent.Tell(new SmallPiecesHashed([.. _reports]));
        }

        _reports.Clear();
    }

    /// <summary>Valid pieces <see cref="First"/> to First + Count - 1, their bytes side by side in the buffer.</summary>
    private readonly record struct Run(byte[]? Buffer, int First, int Count, int Length);
}
