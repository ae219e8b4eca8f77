using System.Net;
using Swarm.Protocol;
using Swarm.Protocol.Mse;

namespace Swarm.Actors.Peers.Encryption;

/// <summary>The encryption step of a <see cref="PeerLink"/>, between the transport and the BitTorrent handshake, for
/// whatever carries the link (TCP, uTP): the dialler's MSE as its <see cref="EncryptionFallbacks"/> says, and the
/// listener's plain-or-MSE answer under the node's policy. The returned link reads and writes through the
/// <see cref="Rc4Stream"/> and says whether the stream is encrypted; on failure the link is disposed and the error
/// goes to the caller.</summary>
public static class LinkEncryption
{
    /// <summary>Opens a link with <paramref name="connect"/> (any transport) and offers MSE on it as
    /// <paramref name="encryption"/> says. A peer that takes the connection and drops our MSE is remembered; under
    /// `prefer` it is dialled again at once with a plain handshake (libtorrent's fast reconnect), so a plain-only peer
    /// costs one extra connection and no redial delay. On failure nothing is left open.</summary>
    public static async Task<PeerLink> DialAsync(Func<CancellationToken, Task<PeerLink>> connect, IPEndPoint peer, InfoHash infoHash, EncryptionFallbacks encryption, CancellationToken ct)
    {
        var offer = encryption.Offer(peer);
        var link = await connect(ct).ConfigureAwait(false);
        if (offer == CryptoMethods.None)
        {
            return link;
        }

        try
        {
            var stream = await MseHandshake.InitiateAsync(link.Stream, infoHash, offer, [], ct).ConfigureAwait(false);
            return link.Secured(stream, stream.Encrypted);
        }
        catch (Exception e)
        {
            encryption.Dropped(peer, offer);
            link.Dispose();
            if (e is OperationCanceledException)
            {
                throw;
            }

            if (encryption.Policy == EncryptionPolicy.Prefer)
            {
                return await connect(ct).ConfigureAwait(false);
            }

            throw new IOException($"encryption handshake failed: {e.Message}", e);
        }
    }

    /// <summary>A dialled link whose BitTorrent handshake failed: under `prefer` a plain one that was dropped gets MSE
    /// again next time.</summary>
    public static void HandshakeFailed(PeerLink link, EncryptionFallbacks encryption)
    {
        if (link.Stream is not Rc4Stream)
        {
            encryption.Dropped(link.Remote, CryptoMethods.None);
        }
    }

    /// <summary>Reads the first bytes of an accepted link: a plain handshake, or MSE for one of the torrents
    /// <paramref name="torrents"/> lists (asked only for MSE).</summary>
    public static async Task<PeerLink> SecureIncomingAsync(PeerLink link, EncryptionPolicy policy, Func<CancellationToken, Task<IReadOnlyCollection<InfoHash>>> torrents, CancellationToken ct)
    {
        try
        {
            var stream = await MseHandshake.AcceptAsync(link.Stream, policy, torrents, ct).ConfigureAwait(false);
            return link.Secured(stream, stream.Encrypted);
        }
        catch
        {
            link.Dispose();
            throw;
        }
    }
}
