using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Swarm.Actors.Pieces;
using Swarm.Protocol;
using static Swarm.Actors.Storage.StorageMessages;

namespace Swarm.Actors.Storage;

/// <summary>Owns a torrent's files on disk: prepares them, checks existing data on all cores and writes
/// verified pieces. Runs on a dispatcher of its own (swarm.storage-dispatcher), on the thread pool: a write the kernel
/// throttles holds one pool thread, and the pool adds threads when its queue stops moving (issue 14: dedicated threads
/// spun between pieces, and handed each verified piece to another thread).
/// An I/O error is reported to the torrent (which pauses), never thrown up the hierarchy.</summary>
public sealed class StorageActor : HandlerActor
{
    private readonly TorrentStorage _storage;
    private readonly int _parallelism;
    private readonly PieceBufferPool _buffers;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PendingWrites _pending;
    private CacheWindow _cached;
    private bool _failed;
    private bool _writePendingAsked;

    /// <param name="keptInCache">Flushed bytes left in the page cache, the older ones dropped (<see cref="CacheWindow"/>);
    /// negative: none dropped.</param>
    /// <param name="runBytes">Writes of consecutive pieces already in the mailbox are written together, up to this
    /// many bytes (<see cref="PendingWrites"/>); 0: each is written when it comes.</param>
    public StorageActor(TorrentStorage storage, int parallelism, PieceBufferPool buffers, long keptInCache = -1, long runBytes = 0)
    {
        _storage = storage;
        _cached = CacheWindow.Create(keptInCache);
        _buffers = buffers;
        _pending = new PendingWrites(runBytes);
        _parallelism = parallelism <= 0 ? Environment.ProcessorCount : parallelism;
        Receive<PrepareAndCheck>(OnPrepareAndCheck);
        Receive<WritePiece>(OnWrite);
        Receive<WritePending>(_ =>
        {
            _writePendingAsked = false;
            WriteHeldBack();
        });
        Receive<QuickCheck>(OnQuickCheck);
        Receive<HashWrittenPieces>(h =>
        {
            try
            {
                Sender.Tell(WrittenRanges.HashWritten(_storage, h.Known, _parallelism));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail(Sender, e);
            }
        });
        // fsync waits for the disk: run off the mailbox, so the writes (and the requests waiting on them) go on.
        Receive<Flush>(f =>
        {
            var replyTo = Sender;
            Task.Run(() => _storage.FlushToDisk(f.Pieces)).ContinueWith(
                t => new FlushFinished(replyTo, f.Pieces, t.Exception?.GetBaseException()),
                TaskScheduler.Default).PipeTo(Self);
        });
        Receive<FlushFinished>(f =>
        {
            if (f.Error is null)
            {
                // Their data is on disk now: older flushed pieces may leave the cache (a few quick syscalls).
                (_cached, var drop) = _cached.Flushed(f.Pieces, p => _storage.Metainfo.PieceSize(p));
                if (drop.Count > 0)
                {
                    _storage.DropFromCache(drop);
                }

                f.ReplyTo.Tell(new Flushed(f.Pieces));
            }
            else if (f.Error is IOException or UnauthorizedAccessException)
            {
                Fail(f.ReplyTo, f.Error);
            }
            else
            {
                throw new InvalidOperationException("flushing written pieces failed", f.Error);
            }
        });
    }

    public static Props Props(TorrentStorage storage, int parallelism, PieceBufferPool buffers, long keptInCache = -1, long runBytes = 0) =>
        DirectProps.Of(() => new StorageActor(storage, parallelism, buffers, keptInCache, runBytes)).WithDispatcher("swarm.storage-dispatcher");

    /// <summary>Whatever else comes (a flush, a check) finds the writes held back already written.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        if (message is not WritePiece and not WritePending)
        {
            WriteHeldBack();
        }

        return base.AroundReceive(receive, message);
    }

    /// <summary>Writes held back and never written (the torrent stopped) give their buffers back.</summary>
    protected override void PostStop()
    {
        foreach (var buffer in _pending.Take())
        {
            _buffers.Return(buffer);
        }

        base.PostStop();
    }

    private void OnPrepareAndCheck(PrepareAndCheck msg)
    {
        var replyTo = Sender;
        try
        {
            var hasData = _storage.AnyFilePresent();
            if (msg.CreateFiles)
            {
                _storage.Prepare();
                ReportCreated(replyTo);
            }

            var watch = Stopwatch.StartNew();
            var meta = _storage.Metainfo;
            var verified = new PieceSet(meta.PieceCount);
            var bad = new List<int>();
            if (hasData)
            {
                var ok = new bool[meta.PieceCount];
                // Small pieces are hashed in runs of a read each (TorrentStorage.VerifyRun); others one by one.
                var bufferBytes = Math.Min(TorrentStorage.HashChunk, Math.Max(meta.PieceLength, TorrentStorage.CheckRunBytes));
                var perRun = Math.Max(1, bufferBytes / meta.PieceLength);
                Parallel.For(
                    0,
                    (meta.PieceCount + perRun - 1) / perRun,
                    new ParallelOptions { MaxDegreeOfParallelism = _parallelism },
                    () => new byte[bufferBytes],
                    (run, _, buffer) =>
                    {
                        var first = run * perRun;
                        _storage.VerifyRun(first, Math.Min(perRun, meta.PieceCount - first), buffer, ok);
                        return buffer;
                    },
                    _ => { });
                for (var i = 0; i < ok.Length; i++)
                {
                    if (ok[i])
                    {
                        verified.Add(i);
                    }
                    else
                    {
                        bad.Add(i);
                    }
                }
            }
            else
            {
                bad.AddRange(Enumerable.Range(0, meta.PieceCount));
            }

            replyTo.Tell(new CheckCompleted(verified, bad, watch.Elapsed));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(replyTo, e);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is IOException or UnauthorizedAccessException))
        {
            // Parallel.For wraps what the hashing threads threw, e.g. a file behind a link out of the save folder.
            Fail(replyTo, e.InnerExceptions[0]);
        }
    }

    private void OnQuickCheck(QuickCheck q)
    {
        var watch = Stopwatch.StartNew();
        var meta = _storage.Metainfo;
        var damaged = new bool[meta.Files.Count];
        var missing = new List<string>();
        for (var i = 0; i < damaged.Length; i++)
        {
            if (!_storage.FileIntact(i))
            {
                damaged[i] = true;
                missing.Add(Printable.ForTerminal(meta.Files[i].JoinedPath));
            }
        }

        var touched = missing.Count == 0 ? null : _storage.PiecesOfFiles(damaged);
        var kept = new PieceSet(meta.PieceCount);
        var bad = new List<int>();
        foreach (var piece in q.Verified.Indices())
        {
            if (touched is not null && touched[piece])
            {
                bad.Add(piece);
            }
            else
            {
                kept.Add(piece);
            }
        }

        try
        {
            // Checks every path again and makes the links; files that vanished are created anew at their next write.
            if (q.CreateFiles)
            {
                _storage.Prepare();
                ReportCreated(Sender);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(Sender, e);
            return;
        }

        Sender.Tell(new CheckCompleted(kept, bad, watch.Elapsed, FromJournal: true, missing));
    }

    /// <summary>Issue 14 (storage): a write that continues the run held back joins it, and the run is written once the
    /// messages now in the mailbox are handled (<see cref="WritePending"/>), or as soon as a write does not continue
    /// it. Only what already waits in the mailbox is gathered: nothing waits for more to come.</summary>
    private void OnWrite(WritePiece msg)
    {
        if (_failed)
        {
            _buffers.Return(msg.Buffer);
            return;
        }

        if (_pending.MaxBytes <= 0 || msg.Length > _pending.MaxBytes)
        {
            WriteHeldBack();
            Write(msg.Piece, [msg.Buffer.AsMemory(0, msg.Length)], msg.Count, Sender, [msg.Buffer]);
            return;
        }

        if (!_pending.Continues(msg, Sender))
        {
            WriteHeldBack();
        }

        _pending.Add(msg, Sender);
        if (!_writePendingAsked)
        {
            _writePendingAsked = true;
            Self.Tell(WritePending.Instance);
        }
    }

    private void WriteHeldBack()
    {
        if (!_pending.IsEmpty)
        {
            var (first, count, replyTo, parts) = (_pending.First, _pending.Count, _pending.ReplyTo, _pending.Parts());
            Write(first, parts, count, replyTo, _pending.Take());
        }
    }

    /// <summary>Writes <paramref name="count"/> pieces from <paramref name="first"/> on and tells
    /// <paramref name="replyTo"/> once; the buffers go back to the pool whatever happens.</summary>
    private void Write(int first, IReadOnlyList<ReadOnlyMemory<byte>> parts, int count, IActorRef replyTo, IReadOnlyList<byte[]> buffers)
    {
        try
        {
            if (!_failed)
            {
                try
                {
                    _storage.Write(first, parts);
                }
                finally
                {
                    // Even when the write failed half-way: what it created is the torrent's.
                    ReportCreated(replyTo);
                }

                replyTo.Tell(new PieceWritten(first, count));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(replyTo, e);
        }
        finally
        {
            foreach (var buffer in buffers)
            {
                _buffers.Return(buffer);
            }
        }
    }

    private void ReportCreated(IActorRef torrent)
    {
        if (_storage.TakeCreated() is { IsEmpty: false } created)
        {
            torrent.Tell(new FilesCreated(created));
        }
    }

    private void Fail(IActorRef replyTo, Exception e)
    {
        _failed = true;
        // .NET messages quote the path raw, and a torrent's names may hold C1 controls or DEL.
        var message = Printable.ForTerminal(e.Message);
        _log.Error("torrent {0}: disk error: {1}", _storage.Metainfo.InfoHash.Hex[..8], message);
        replyTo.Tell(new StorageFailed(message));
    }
}
