using System.Security.Cryptography;
using System.Text;
using Swarm.Protocol;
using Swarm.Protocol.Mse;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers.Encryption;

/// <summary>Runs the MSE handshake of Protocol's <see cref="MseInitiator"/> / <see cref="MseReceiver"/> over any
/// connected stream (TCP now, uTP later), and tells an incoming plain handshake from an encrypted one by its first
/// bytes. Each returns an <see cref="Rc4Stream"/> on which the BitTorrent handshake then runs; bytes the peer sent
/// past the MSE handshake are kept in it. The caller's token bounds the exchange; a peer that breaks the handshake
/// surfaces as <see cref="MseException"/> or <see cref="PeerProtocolException"/>, one that hangs up as
/// <see cref="IOException"/>. The stream stays the caller's either way.</summary>
public static class MseHandshake
{
    /// <summary>Bytes asked of the stream per read during the handshake; whatever arrives past the handshake is kept.</summary>
    private const int ReadSize = 4096;

    /// <summary>What tells a plain handshake: its first 20 bytes, 19 and "BitTorrent protocol".</summary>
    private const int PlainPrefixLength = 20;

    private static readonly byte[] PlainPrefix = [19, .. Encoding.ASCII.GetBytes("BitTorrent protocol")];

    /// <summary>The dialling side: MSE offering <paramref name="provide"/>, with <paramref name="initialPayload"/>
    /// (our BitTorrent handshake) sent as IA inside it.</summary>
    public static async Task<Rc4Stream> InitiateAsync(Stream stream, InfoHash infoHash, CryptoMethods provide, byte[] initialPayload, CancellationToken ct)
    {
        var mse = new MseInitiator(infoHash, provide, initialPayload, RandomNumberGenerator.Fill);
        await SendAsync(stream, mse.Start(), ct).ConfigureAwait(false);
        var buffer = new byte[ReadSize];
        while (true)
        {
            var n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the peer closed the connection during the encryption handshake");
            }

            var step = mse.Receive(buffer.AsSpan(0, n));
            await SendAsync(stream, step.Send, ct).ConfigureAwait(false);
            if (step.Result is { } result)
            {
                return new Rc4Stream(stream, result.Encryptor, result.Decryptor, result.Received);
            }
        }
    }

    /// <summary>The accepting side: reads the first bytes; a plain handshake passes (unless <paramref name="policy"/>
    /// requires encryption), anything else is answered as MSE for one of the torrents <paramref name="torrents"/>
    /// lists (asked only then), unless encryption is disabled.</summary>
    public static async Task<Rc4Stream> AcceptAsync(Stream stream, EncryptionPolicy policy, Func<CancellationToken, Task<IReadOnlyCollection<InfoHash>>> torrents, CancellationToken ct)
    {
        var first = new byte[PlainPrefixLength];
        await stream.ReadExactlyAsync(first, ct).ConfigureAwait(false);
        if (first.AsSpan().SequenceEqual(PlainPrefix))
        {
            return policy == EncryptionPolicy.Require
                ? throw new PeerProtocolException("plain handshake refused: encryption is required (swarm.peer.encryption = require)")
                : new Rc4Stream(stream, null, null, first);
        }

        if (policy == EncryptionPolicy.Disable)
        {
            throw new PeerProtocolException("not a BitTorrent handshake (and encryption is disabled: swarm.peer.encryption = disable)");
        }

        var mse = new MseReceiver(await torrents(ct).ConfigureAwait(false), policy.Methods(), RandomNumberGenerator.Fill);
        var step = mse.Receive(first);
        var buffer = new byte[ReadSize];
        while (true)
        {
            await SendAsync(stream, step.Send, ct).ConfigureAwait(false);
            if (step.Result is { } result)
            {
                return new Rc4Stream(stream, result.Encryptor, result.Decryptor, result.Received);
            }

            var n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("the peer closed the connection during the encryption handshake");
            }

            step = mse.Receive(buffer.AsSpan(0, n));
        }
    }

    private static async Task SendAsync(Stream stream, byte[] bytes, CancellationToken ct)
    {
        if (bytes.Length > 0)
        {
            await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            await stream.FlushAsync(ct).ConfigureAwait(false);
        }
    }
}
