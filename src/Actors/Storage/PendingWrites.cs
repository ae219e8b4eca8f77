using Akka.Actor;
using static Swarm.Actors.Storage.StorageMessages;

namespace Swarm.Actors.Storage;

/// <summary>Issue 14 (storage): verified writes a storage actor holds back while they follow each other on disk, to
/// hand them to the disk in one call: one run of consecutive pieces, from one sender, of at most
/// <see cref="MaxBytes"/>. Mutable: owned by one storage actor.</summary>
public sealed class PendingWrites(long maxBytes)
{
    private readonly List<WritePiece> _writes = [];

    /// <summary>Bytes a run may hold; 0 or less: none is held back.</summary>
    public long MaxBytes { get; } = maxBytes;

    public bool IsEmpty => _writes.Count == 0;

    /// <summary>The first piece of the run.</summary>
    public int First => _writes[0].Piece;

    /// <summary>Pieces in the run.</summary>
    public int Count { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>Who asked for the run's writes, and hears they are done.</summary>
    public IActorRef ReplyTo { get; private set; } = ActorRefs.Nobody;

    /// <summary>Whether <paramref name="write"/> from <paramref name="sender"/> may join the run: it starts right
    /// after it, and the run stays within <see cref="MaxBytes"/>. Anything may start an empty run.</summary>
    public bool Continues(WritePiece write, IActorRef sender) =>
        IsEmpty || (write.Piece == First + Count && sender.Equals(ReplyTo) && Bytes + write.Length <= MaxBytes);

    public void Add(WritePiece write, IActorRef sender)
    {
        if (!Continues(write, sender))
        {
            throw new InvalidOperationException($"piece {write.Piece} does not continue the pending run");
        }

        if (IsEmpty)
        {
            ReplyTo = sender;
        }

        _writes.Add(write);
        Count += write.Count;
        Bytes += write.Length;
    }

    /// <summary>The run's bytes, in order, for one gathered write.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Parts() => [.. _writes.Select(w => (ReadOnlyMemory<byte>)w.Buffer.AsMemory(0, w.Length))];

    /// <summary>Empties the run and returns its buffers (their owner, the pool, gets them back).</summary>
    public IReadOnlyList<byte[]> Take()
    {
        var buffers = _writes.Select(w => w.Buffer).ToList();
        _writes.Clear();
        Count = 0;
        Bytes = 0;
        ReplyTo = ActorRefs.Nobody;
        return buffers;
    }
}
