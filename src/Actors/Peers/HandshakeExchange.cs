using System.Net;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

/// <summary>The link side of the 68-byte BitTorrent handshake, shared by the connection actor (dialling), the
/// listener (accepting) and the metadata fetcher. The bytes are written and parsed by Protocol's
/// <see cref="Handshake"/>; this class only moves them. It reads exactly <see cref="Handshake.Length"/> bytes and
/// never more, so whatever the peer sent after its handshake stays in the stream for the message reader. The
/// caller's token bounds the whole exchange (its timeout): cancellation surfaces as
/// <see cref="OperationCanceledException"/>, a peer that hangs up early as <see cref="IOException"/>, and bytes that
/// are not a handshake, or a handshake for another torrent, as <see cref="PeerProtocolException"/>.</summary>
public static class HandshakeExchange
{
    /// <summary>Opens a link to <paramref name="peer"/> with <paramref name="dialer"/>, sends <paramref name="ours"/>
    /// and reads the answer, which must be for the same info-hash. On success the open link is the caller's; on any
    /// failure it is closed. uTP (issue 16): each of the dialler's transports is tried in turn, and a connection refused,
    /// or closed before the peer's handshake (libtorrent with TCP off accepts and closes), moves on to the next.</summary>
    public static async Task<(PeerLink Link, Handshake Remote)> DialAsync(PeerDialer dialer, IPEndPoint peer, Handshake ours, CancellationToken ct)
    {
        var transports = dialer.TransportsFor(peer);
        for (var i = 0; ; i++)
        {
            var another = i + 1 < transports.Count;
            PeerLink link;
            try
            {
                link = await dialer.ConnectAsync(peer, ours.InfoHash, transports[i], ct).ConfigureAwait(false);
            }
            catch (Exception e) when (another && e is System.Net.Sockets.SocketException or IOException && !ct.IsCancellationRequested)
            {
                continue;
            }

            try
            {
                await link.Stream.WriteAsync(ours.ToArray(), ct).ConfigureAwait(false);
                var remote = await ReceiveAsync(link.Stream, ct).ConfigureAwait(false);
                if (!remote.InfoHash.Equals(ours.InfoHash))
                {
                    throw new PeerProtocolException($"the peer answered for another torrent ({remote.InfoHash.Hex[..8]})");
                }

                dialer.Worked(peer, transports[i]);
                return (link, remote);
            }
            catch (IOException) when (another && !ct.IsCancellationRequested)
            {
                // Remembered before moving on: a TCP-only peer requiring encryption that drops our plain redial must
                // be offered MSE again next time, not plain TCP then a refused uTP for ever.
                Encryption.LinkEncryption.HandshakeFailed(link, dialer.Encryption);
                link.Dispose();
            }
            catch
            {
                Encryption.LinkEncryption.HandshakeFailed(link, dialer.Encryption);
                link.Dispose();
                throw;
            }
        }
    }

    /// <summary>Reads the peer's handshake off a stream (the accepting side: it decides which torrent to answer for
    /// by the info-hash it reads, so it sends its own handshake later). The stream stays the caller's either way.</summary>
    public static async Task<Handshake> ReceiveAsync(Stream stream, CancellationToken ct)
    {
        var buffer = new byte[Handshake.Length];
        var got = 0;
        while (got < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(got), ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException($"the peer closed the connection during the handshake ({got} of {Handshake.Length} bytes)");
            }

            got += n;
        }

        return Handshake.Parse(buffer);
    }
}
