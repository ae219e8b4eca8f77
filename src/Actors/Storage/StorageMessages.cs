using Akka.Actor;
using Swarm.Actors.Pieces;

namespace Swarm.Actors.Storage;

public static class StorageMessages
{
    /// <summary>Check every path (and make the links: <see cref="TorrentStorage.Prepare"/>), then hash whatever data is already there.</summary>
    public sealed record PrepareAndCheck(bool CreateFiles);

    /// <summary>Trust the journal: keep the <paramref name="Verified"/> pieces whose files still exist at full length.</summary>
    public sealed record QuickCheck(PieceSet Verified, bool CreateFiles);

    /// <param name="FromJournal">True after a <see cref="QuickCheck"/> (nothing was hashed).</param>
    /// <param name="MissingFiles">Files that vanished or shrank since their pieces were journaled.</param>
    public sealed record CheckCompleted(PieceSet Verified, IReadOnlyList<int> BadPieces, TimeSpan Elapsed, bool FromJournal = false, IReadOnlyList<string>? MissingFiles = null);

    /// <summary>After a quick check: hash the pieces outside <paramref name="Known"/> whose files hold data (written
    /// before the last stop, never journaled); answered with <see cref="WrittenPiecesHashed"/>.</summary>
    public sealed record HashWrittenPieces(PieceSet Known);

    /// <param name="Verified">The pieces whose data was there and matched its hash.</param>
    /// <param name="Hashed">How many pieces had data and were hashed.</param>
    public sealed record WrittenPiecesHashed(PieceSet Verified, int Hashed, TimeSpan Elapsed);

    /// <summary>fsync the files of these written pieces; answered with <see cref="Flushed"/>.</summary>
    public sealed record Flush(IReadOnlyList<int> Pieces);

    public sealed record Flushed(IReadOnlyList<int> Pieces);

    /// <summary>The storage actor's own note that an fsync it started off its mailbox ended (<paramref name="Error"/>
    /// null: done), for it to answer <paramref name="ReplyTo"/>.</summary>
    public sealed record FlushFinished(IActorRef ReplyTo, IReadOnlyList<int> Pieces, Exception? Error);

    /// <summary>A verified piece to write, or <paramref name="Count"/> consecutive verified pieces from
    /// <paramref name="Piece"/> on, whose bytes are the first <paramref name="Length"/> of the buffer: small pieces of
    /// one group go to disk in one write rather than one each. Answered with one <see cref="PieceWritten"/> for all of
    /// them, once all of them are written. The buffer comes from the node's <see cref="PieceBufferPool"/>; ownership passes
    /// to the storage actor, which returns it.</summary>
    public sealed record WritePiece(int Piece, byte[] Buffer, int Length, int Count = 1);

    /// <summary>Pieces <paramref name="Piece"/> to Piece + <paramref name="Count"/> - 1 are written (issue 14: one message
    /// for a run of small pieces, not one each).</summary>
    public sealed record PieceWritten(int Piece, int Count = 1);

    /// <summary>Sent to the torrent before the reply of the write or check that created them: files and folders this
    /// torrent created, to be journaled (only those are ever deleted with the torrent's data).</summary>
    public sealed record FilesCreated(CreatedContent Created);

    /// <summary>The storage actor's own note, told to itself behind the messages already in its mailbox, to write the
    /// run of writes it held back (<see cref="PendingWrites"/>): whatever continued the run by then joined it.</summary>
    public sealed record WritePending
    {
        public static WritePending Instance { get; } = new();
    }

    /// <summary>The disk refused (full, read-only, removed): the torrent must pause with this error.</summary>
    public sealed record StorageFailed(string Error);
}
