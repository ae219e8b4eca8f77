namespace Swarm.Protocol.Mse;

/// <summary>The bytes a handshake side has received and not yet consumed. Its size stays bounded by the
/// handshake's own limits plus the last chunk fed in, because each side fails once a limit is passed.</summary>
internal sealed class MseBuffer
{
    private byte[] _bytes = new byte[256];
    private int _start;
    private int _count;

    public int Count => _count;

    public Span<byte> Span => _bytes.AsSpan(_start, _count);

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_start + _count + data.Length > _bytes.Length)
        {
            var bigger = new byte[Math.Max(_bytes.Length * 2, _count + data.Length)];
            Span.CopyTo(bigger);
            _bytes = bigger;
            _start = 0;
        }

        data.CopyTo(_bytes.AsSpan(_start + _count));
        _count += data.Length;
    }

    public void Consume(int n)
    {
        _start += n;
        _count -= n;
        if (_count == 0)
        {
            _start = 0;
        }
    }

    /// <summary>Takes the first <paramref name="n"/> bytes out as an array.</summary>
    public byte[] Take(int n)
    {
        var taken = Span[..n].ToArray();
        Consume(n);
        return taken;
    }
}

/// <summary>What one side of the handshake wants sent after a step, and, once the handshake is over, its result.</summary>
/// <param name="Send">Bytes to write to the peer now (maybe none).</param>
/// <param name="Result">Set once the handshake has completed; feed nothing more after that.</param>
public readonly record struct MseStep(byte[] Send, MseResult? Result)
{
    public bool IsComplete => Result is not null;
}

/// <summary>A completed MSE handshake.</summary>
/// <param name="Method">What carries the payload stream from here: <see cref="CryptoMethods.Rc4"/> or
/// <see cref="CryptoMethods.Plaintext"/>.</param>
/// <param name="InfoHash">The torrent (SKEY) the handshake was for; on the receiving side, the one the initiator asked for.</param>
/// <param name="Encryptor">Encrypts what we send from now on; null for plaintext.</param>
/// <param name="Decryptor">Decrypts what we receive from now on; null for plaintext.</param>
/// <param name="Received">Payload bytes the peer already sent beyond the handshake (the initial payload IA, and
/// whatever followed it in the same reads), already decrypted, in order: they come before anything read next.</param>
public sealed record MseResult(CryptoMethods Method, InfoHash InfoHash, Rc4? Encryptor, Rc4? Decryptor, byte[] Received);
