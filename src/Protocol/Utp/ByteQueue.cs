namespace Swarm.Protocol.Utp;

/// <summary>A FIFO of bytes kept as the chunks they arrived in, so queuing and taking copy each byte once.</summary>
public sealed class ByteQueue
{
    private readonly Queue<byte[]> _chunks = new();
    private int _headOffset;

    public int Count { get; private set; }

    public void Enqueue(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        _chunks.Enqueue(bytes.ToArray());
        Count += bytes.Length;
    }

    /// <summary>Copies up to destination's length out of the queue; returns how many.</summary>
    public int Dequeue(Span<byte> destination)
    {
        var copied = 0;
        while (copied < destination.Length && _chunks.Count > 0)
        {
            var head = _chunks.Peek();
            var n = Math.Min(head.Length - _headOffset, destination.Length - copied);
            head.AsSpan(_headOffset, n).CopyTo(destination[copied..]);
            copied += n;
            _headOffset += n;
            if (_headOffset == head.Length)
            {
                _chunks.Dequeue();
                _headOffset = 0;
            }
        }

        Count -= copied;
        return copied;
    }

    /// <summary>Drops everything queued.</summary>
    public void Clear()
    {
        _chunks.Clear();
        _headOffset = 0;
        Count = 0;
    }
}
