using System.Buffers;
using Swarm.Protocol.Mse;

namespace Swarm.Actors.Peers.Encryption;

/// <summary>A peer connection's stream after its MSE handshake (or after the first bytes of a plain one were read to
/// tell the two apart): reads first return <paramref name="received"/> — the bytes the peer sent beyond the handshake
/// and that the handshake already read, in plaintext — then decrypt in place what the inner stream gives; writes are
/// encrypted into a buffer of our own (the caller's memory is never changed). A null cipher passes bytes through.
/// It never reads ahead of its caller, so a Pipelines reader on top loses nothing. Reads and writes may run
/// concurrently (the two ciphers are separate), but not two reads or two writes at once.</summary>
public sealed class Rc4Stream(Stream inner, Rc4? encryptor, Rc4? decryptor, ReadOnlyMemory<byte> received) : Stream
{
    private const int WriteChunk = 64 * 1024;

    private ReadOnlyMemory<byte> _received = received;

    public bool Encrypted => encryptor is not null;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Not an async method: a plaintext stream (most connections: libtorrent selects plaintext when offered
    /// both) hands the inner read through, and a read the socket completes at once is decrypted in place; only a read
    /// still pending gets a state machine (issue 14: one per socket read on the data path otherwise).</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TakeReceived(buffer.Span) is var n and > 0)
        {
            return new ValueTask<int>(n);
        }

        if (decryptor is null)
        {
            return inner.ReadAsync(buffer, cancellationToken);
        }

        var pending = inner.ReadAsync(buffer, cancellationToken);
        if (pending.IsCompletedSuccessfully)
        {
            var read = pending.Result;
            decryptor.Apply(buffer.Span[..read]);
            return new ValueTask<int>(read);
        }

        return DecryptWhenRead(pending, buffer, decryptor);
    }

    private static async ValueTask<int> DecryptWhenRead(ValueTask<int> pending, Memory<byte> buffer, Rc4 cipher)
    {
        var read = await pending.ConfigureAwait(false);
        cipher.Apply(buffer.Span[..read]);
        return read;
    }

    public override int Read(Span<byte> buffer)
    {
        if (TakeReceived(buffer) is var n and > 0)
        {
            return n;
        }

        var read = inner.Read(buffer);
        decryptor?.Apply(buffer[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>A plaintext stream hands the write through, without a state machine of its own.</summary>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        encryptor is null ? inner.WriteAsync(buffer, cancellationToken) : EncryptAndWrite(inner, buffer, encryptor, cancellationToken);

    private static async ValueTask EncryptAndWrite(Stream inner, ReadOnlyMemory<byte> buffer, Rc4 cipher, CancellationToken cancellationToken)
    {
        var chunk = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length, WriteChunk));
        try
        {
            while (!buffer.IsEmpty)
            {
                var n = Math.Min(buffer.Length, chunk.Length);
                cipher.Apply(buffer.Span[..n], chunk);
                await inner.WriteAsync(chunk.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                buffer = buffer[n..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (encryptor is null)
        {
            inner.Write(buffer);
            return;
        }

        var chunk = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length, WriteChunk));
        try
        {
            while (!buffer.IsEmpty)
            {
                var n = Math.Min(buffer.Length, chunk.Length);
                encryptor.Apply(buffer[..n], chunk);
                inner.Write(chunk, 0, n);
                buffer = buffer[n..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int TakeReceived(Span<byte> buffer)
    {
        if (_received.IsEmpty || buffer.IsEmpty)
        {
            return 0;
        }

        var n = Math.Min(buffer.Length, _received.Length);
        _received.Span[..n].CopyTo(buffer);
        _received = _received[n..];
        return n;
    }
}
