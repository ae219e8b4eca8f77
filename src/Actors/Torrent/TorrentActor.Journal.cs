using Akka.Actor;
using Swarm.Actors.Persistence;
using static Swarm.Actors.Peers.PeerConnectionMessages;
using static Swarm.Actors.Persistence.TorrentJournalMessages;
using static Swarm.Actors.Storage.StorageMessages;
using static Swarm.Actors.Torrent.TorrentMessages;

namespace Swarm.Actors.Torrent;

// From a written piece to a journaled one: piece written → (batch) flushed → journaled → confirmed.
public sealed partial class TorrentActor
{
    /// <summary>Applies <paramref name="e"/> to the journaled state (the same Apply the journal uses) and sends it.</summary>
    private void Journal(IPersistedEvent e)
    {
        _journaled = _journaled.Apply(e);
        (_outbox, var write) = _outbox.Send(e, Now);
        JournalActor().Tell(write);
        ScheduleFlush();
    }

    /// <summary>Storage wrote a piece, or a run of small pieces: each is verified now (peers hear of it), and journaled
    /// with its batch once flushed.</summary>
    /// <returns>True when a piece was not verified before.</returns>
    private bool RecordWritten(PieceWritten w)
    {
        long bytes = 0;
        for (var piece = w.Piece; piece < w.Piece + w.Count; piece++)
        {
            bytes += _meta.PieceSize(piece);
        }

        (_backlog, var wake) = _backlog.Written(bytes);
        foreach (var peer in wake)
        {
            if (_peers.TryGet(peer, out var p))
            {
                p.Ref.Tell(BlocksAvailable.Instance);
            }
        }

        // Issue 14 (piece count): the newly verified pieces of the run go to the outbox as runs, at once, not piece by
        // piece; a run is cut where the batch is due, so batches end where they did piece by piece.
        var flush = _node.Settings.Persistence;
        var verified = false;
        int first = 0, count = 0;
        long runBytes = 0;
        for (var piece = w.Piece; piece < w.Piece + w.Count; piece++)
        {
            if (!WrittenPiece(piece))
            {
                Record();
                continue;
            }

            verified = true;
            first = count == 0 ? piece : first;
            count++;
            runBytes += _meta.PieceSize(piece);
            if (_outbox.UnflushedCount + count >= flush.FlushMaxPieces || _outbox.UnflushedBytes + runBytes >= flush.FlushMaxBytes)
            {
                Record();
            }
        }

        Record();
        if (verified)
        {
            ScheduleFlush();
        }

        return verified;

        void Record()
        {
            if (count == 0)
            {
                return;
            }

            _outbox = _outbox.PiecesWritten(first, count, runBytes);
            (count, runBytes) = (0, 0);
            if (_outbox.BatchDue(flush.FlushMaxPieces, flush.FlushMaxBytes))
            {
                FlushAndResend();
            }
        }
    }

    /// <summary>One written piece: verified, and queued for the next WeHave; the caller records it for the flush.</summary>
    private bool WrittenPiece(int piece)
    {
        _awaitingWrite.Remove(piece);
        if (_picker is null || _picker.Have[piece])
        {
            return false; // re-checking (the check decides), or a piece already written
        }

        _picker.PieceVerified(piece);
        if (_newHaves.Count == 0)
        {
            Self.Tell(TellWeHave.Instance);
        }

        _newHaves.Add(piece);
        return true;
    }

    /// <summary>The connections hear the pieces verified since the last time, in one message each.</summary>
    private void TellNewHaves()
    {
        if (_newHaves.Count > 0)
        {
            _peers.TellAll(new WeHave([.. _newHaves]));
            _newHaves.Clear();
        }
    }

    /// <summary>Written pieces are flushed to disk, then journaled, in batches: one fsync and one journal row per
    /// batch keeps the journal off the download's critical path, and a piece is never journaled before its data is
    /// durable. Whatever the journal has not confirmed (it was down or restarting) is sent again.</summary>
    private void FlushAndResend()
    {
        (_outbox, var batch) = _outbox.TakeBatch();
        if (batch.Count > 0)
        {
            if (_node.Settings.Persistence.Fsync)
            {
                _storageActor.Tell(new Flush(batch));
            }
            else
            {
                Self.Tell(new Flushed(batch));
            }
        }

        (_outbox, var resend) = _outbox.Resend(Now, _node.Settings.Persistence.ResendAfter);
        foreach (var write in resend)
        {
            JournalActor().Tell(write);
        }

        if (_outbox.NeedsTick)
        {
            ScheduleFlush();
        }
    }

    /// <summary>The flush tick runs only while pieces wait to be flushed or events to be confirmed: a thousand idle
    /// torrents would otherwise wake four thousand times a second for nothing.</summary>
    private void ScheduleFlush()
    {
        if (!Timers.IsTimerActive("flush"))
        {
            Timers.StartSingleTimer("flush", JournalFlushTick.Instance, _node.Settings.Persistence.FlushInterval);
        }
    }

    private void OnFlushed(Flushed f)
    {
        _outbox = _outbox.BatchFlushed();
        Journal(new PiecesVerified([.. f.Pieces]));
    }

    private void OnJournalEventWritten(JournalEventWritten w)
    {
        _outbox = _outbox.Confirmed(w.Id);
        ReplyIfSynced();
    }

    private void ReplyIfSynced()
    {
        if (_syncWaiters.Count > 0 && _outbox.Synced)
        {
            foreach (var waiter in _syncWaiters)
            {
                waiter.Tell(new JournalSynced());
            }

            _syncWaiters.Clear();
        }
    }
}
