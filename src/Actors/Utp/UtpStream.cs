using Akka.Actor;
using Swarm.Protocol.Utp;
using static Swarm.Actors.Utp.UtpSocketMessages;

namespace Swarm.Actors.Utp;

/// <summary>One uTP connection as a byte stream, for a <see cref="Peers.PeerLink"/>. The connection itself lives in
/// <see cref="UtpSocketActor"/>; this side only buffers what the actor handed over (bounded, so a reader that stops
/// closes the uTP window) and passes writes to the actor, completing them once the connection took every byte (so a
/// writer waits when the send buffer is full).</summary>
internal sealed class UtpStream(long id, IActorRef socket, int capacity) : Stream
{
    private readonly Lock _gate = new();
    private readonly ByteQueue _queue = new();
    private bool _ended;
    private string? _error;
    private bool _disposed;
    private TaskCompletionSource? _waiter;

    public long Id { get; } = id;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>How many more bytes the actor may hand over now.</summary>
    internal int Room
    {
        get
        {
            lock (_gate)
            {
                return _disposed ? 0 : capacity - _queue.Count;
            }
        }
    }

    /// <summary>From the actor: bytes received in order.</summary>
    internal void Deliver(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _queue.Enqueue(bytes);
            WakeLocked();
        }
    }

    /// <summary>From the actor: the peer finished (FIN), or we shut down; reads return 0 once the buffer is empty.</summary>
    internal void End()
    {
        lock (_gate)
        {
            _ended = true;
            WakeLocked();
        }
    }

    /// <summary>From the actor: the connection failed; reads throw once the buffer is empty.</summary>
    internal void Fail(string error)
    {
        lock (_gate)
        {
            _error ??= error;
            WakeLocked();
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task wait;
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_queue.Count > 0)
                {
                    var before = _queue.Count;
                    var n = _queue.Dequeue(buffer.Span);

                    // The actor stops handing over only at a full buffer: ask for more once it is half read, not
                    // after every small read.
                    if (before >= capacity / 2 && _queue.Count < capacity / 2)
                    {
                        socket.Tell(new StreamRoom(Id));
                    }

                    return n;
                }

                if (_error is not null)
                {
                    throw new IOException($"uTP connection failed: {_error}");
                }

                if (_ended || buffer.Length == 0)
                {
                    return 0;
                }

                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_error is not null)
            {
                throw new IOException($"uTP connection failed: {_error}");
            }
        }

        if (buffer.IsEmpty)
        {
            return;
        }

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        socket.Tell(new StreamWrite(Id, buffer.ToArray(), done));
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _queue.Clear();
            _error ??= "closed";
            WakeLocked();
        }

        socket.Tell(new StreamClose(Id));
        base.Dispose(disposing);
    }

    private void WakeLocked()
    {
        _waiter?.TrySetResult();
        _waiter = null;
    }
}
