using System.Collections.Immutable;
using Swarm.Actors.Persistence;
using static Swarm.Actors.Persistence.TorrentJournalMessages;

namespace Swarm.Actors.Torrent;

/// <summary>The torrent's side of journaling: written pieces waiting for their batch to be flushed to disk, and events
/// sent to the journal actor that it has not confirmed. That actor may be down or restarting at any moment, so an
/// unconfirmed event is sent again once it is older than resend-after; events are idempotent, so a duplicate is harmless.</summary>
public sealed record JournalOutbox
{
    public static JournalOutbox Empty { get; } = new();

    public long LastId { get; private init; }

    /// <summary>Sent and not confirmed, in the order they were first sent.</summary>
    public ImmutableSortedDictionary<long, UnconfirmedEvent> Unconfirmed { get; private init; } = ImmutableSortedDictionary<long, UnconfirmedEvent>.Empty;

    /// <summary>Written pieces whose files are not yet flushed, as runs of consecutive pieces, newest first; they are
    /// journaled once the flush is done. A stack, so that recording is one small allocation: a torrent of 1 KiB pieces
    /// records 16,384 per batch, and an <see cref="ImmutableList{T}"/> paid a tree path for each (issue 14); runs, so
    /// that a run of small pieces written at once is recorded once, not piece by piece.</summary>
    private ImmutableStack<(int First, int Count)> Unflushed { get; init; } = [];

    /// <summary>How many pieces <see cref="Unflushed"/> holds.</summary>
    public int UnflushedCount { get; private init; }

    /// <summary>Bytes of the <see cref="Unflushed"/> pieces: what the next fsync writes back.</summary>
    public long UnflushedBytes { get; private init; }

    /// <summary>A batch is being flushed (one at a time).</summary>
    public bool Flushing { get; private init; }

    /// <summary>The journal's last failure, until it confirms a write again.</summary>
    public string? Error { get; private init; }

    /// <summary>Nothing is waiting: every written piece was flushed and journaled.</summary>
    public bool Synced => UnflushedCount == 0 && !Flushing && Unconfirmed.IsEmpty;

    /// <summary>The flush timer only runs while this holds: idle torrents never wake up for nothing.</summary>
    public bool NeedsTick => UnflushedCount > 0 || !Unconfirmed.IsEmpty;

    /// <summary>Events the journal may not hold yet, oldest first.</summary>
    /// <summary>Verified pieces and events not yet confirmed by the journal: what a crash now would make us redo.</summary>
    public int Pending => UnflushedCount + Unconfirmed.Count + (Flushing ? 1 : 0);

    /// <summary>How long the oldest event sent to the journal has waited for its confirmation (zero when none waits).</summary>
    public TimeSpan OldestWait(DateTimeOffset now) =>
        Unconfirmed.IsEmpty ? TimeSpan.Zero : now - Unconfirmed.Values.Min(u => u.SentAt);

    public IEnumerable<IPersistedEvent> PendingEvents => Unconfirmed.Values.Select(u => u.Event);

    public (JournalOutbox Outbox, WriteJournalEvent Write) Send(IPersistedEvent e, DateTimeOffset now)
    {
        var id = LastId + 1;
        return (this with { LastId = id, Unconfirmed = Unconfirmed.Add(id, new UnconfirmedEvent(e, now)) }, new WriteJournalEvent(id, e));
    }

    public JournalOutbox Confirmed(long id) => this with { Unconfirmed = Unconfirmed.Remove(id), Error = null };

    public JournalOutbox Failed(string error) => this with { Error = error };

    /// <param name="bytes">The piece's size, counted towards <see cref="BatchDue"/> (0 where a flush follows at once).</param>
    public JournalOutbox PieceWritten(int piece, long bytes = 0) => PiecesWritten(piece, 1, bytes);

    /// <summary>Pieces <paramref name="first"/> to first + <paramref name="count"/> - 1 were written, in that order.</summary>
    /// <param name="bytes">Their size, counted towards <see cref="BatchDue"/>.</param>
    public JournalOutbox PiecesWritten(int first, int count, long bytes)
    {
        if (count <= 0)
        {
            return this;
        }

        // A run that continues the newest one joins it.
        var unflushed = !Unflushed.IsEmpty && Unflushed.Peek() is var (top, n) && top + n == first
            ? Unflushed.Pop().Push((top, n + count))
            : Unflushed.Push((first, count));
        return this with { Unflushed = unflushed, UnflushedCount = UnflushedCount + count, UnflushedBytes = UnflushedBytes + bytes };
    }

    /// <summary>Whether enough was written to flush before the timer: by bytes, so that a torrent of small pieces
    /// does not fsync (and write a journal row) 64 times as often as one of pieces 64 times the size; the piece
    /// count only caps a journal row.</summary>
    public bool BatchDue(int maxPieces, long maxBytes) => UnflushedCount >= maxPieces || UnflushedBytes >= maxBytes;

    /// <summary>The written pieces to flush now, in the order they were written, if any and no flush is running.</summary>
    public (JournalOutbox Outbox, IReadOnlyList<int> Batch) TakeBatch()
    {
        if (UnflushedCount == 0 || Flushing)
        {
            return (this, []);
        }

        var batch = new int[UnflushedCount];
        var i = batch.Length;
        foreach (var (first, count) in Unflushed)
        {
            for (var piece = first + count - 1; piece >= first; piece--)
            {
                batch[--i] = piece;
            }
        }

        return (this with { Unflushed = [], UnflushedCount = 0, UnflushedBytes = 0, Flushing = true }, batch);
    }

    public JournalOutbox BatchFlushed() => this with { Flushing = false };

    /// <summary>A full re-check replaces what was written and not yet flushed: those pieces are not journaled.</summary>
    public JournalOutbox DropUnflushed() => this with { Unflushed = [], UnflushedCount = 0, UnflushedBytes = 0 };

    /// <summary>Every event sent more than <paramref name="after"/> ago and still unconfirmed, to send again now.</summary>
    public (JournalOutbox Outbox, IReadOnlyList<WriteJournalEvent> Writes) Resend(DateTimeOffset now, TimeSpan after)
    {
        var stale = Unconfirmed.Where(u => now - u.Value.SentAt > after).ToList();
        if (stale.Count == 0)
        {
            return (this, []);
        }

        var unconfirmed = Unconfirmed.SetItems(stale.Select(u => KeyValuePair.Create(u.Key, u.Value with { SentAt = now })));
        return (this with { Unconfirmed = unconfirmed }, [.. stale.Select(u => new WriteJournalEvent(u.Key, u.Value.Event))]);
    }
}

public sealed record UnconfirmedEvent(IPersistedEvent Event, DateTimeOffset SentAt);
