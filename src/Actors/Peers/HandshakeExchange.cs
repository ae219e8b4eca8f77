using System.Net;
using System.Net.Sockets;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

/// <summary>The socket side of the 68-byte BitTorrent handshake, shared by the connection actor (dialling), the
/// listener (accepting) and the metadata fetcher. The bytes are written and parsed by Protocol's
/// <see cref="Handshake"/>; this class only moves them. It reads exactly <see cref="Handshake.Length"/> bytes and
/// never more, so whatever the peer sent after its handshake stays in the socket for the message reader. The
/// caller's token bounds the whole exchange (its timeout): cancellation surfaces as
/// <see cref="OperationCanceledException"/>, a peer that hangs up early as <see cref="IOException"/>, and bytes that
/// are not a handshake, or a handshake for another torrent, as <see cref="PeerProtocolException"/>.</summary>
public static class HandshakeExchange
{
    /// <summary>Connects to <paramref name="peer"/>, sends <paramref name="ours"/> and reads the answer, which must be
    /// for the same info-hash. On success the open socket is the caller's; on any failure it is closed.</summary>
    /// <param name="source">The node's --bind address (<see cref="Configuration.PeerSettings.SourceAddress"/>): the
    /// connection leaves from where we listen, so the peer can tell others (PEX, trackers) an address that answers.</param>
    public static async Task<(Socket Socket, Handshake Remote)> DialAsync(IPEndPoint peer, Handshake ours, IPAddress? source, CancellationToken ct)
    {
        var socket = OutgoingSockets.Tcp(peer.AddressFamily, source);
        socket.NoDelay = true;
        try
        {
            await socket.ConnectAsync(peer, ct).ConfigureAwait(false);
            await SendAsync(socket, ours, ct).ConfigureAwait(false);
            var remote = await ReceiveAsync(socket, ct).ConfigureAwait(false);
            if (!remote.InfoHash.Equals(ours.InfoHash))
            {
                throw new PeerProtocolException($"the peer answered for another torrent ({remote.InfoHash.Hex[..8]})");
            }

            return (socket, remote);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads the peer's handshake off a socket (the accepting side: it decides which torrent to answer for
    /// by the info-hash it reads, so it sends its own handshake later). The socket stays the caller's either way.</summary>
    public static async Task<Handshake> ReceiveAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[Handshake.Length];
        var got = 0;
        while (got < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException($"the peer closed the connection during the handshake ({got} of {Handshake.Length} bytes)");
            }

            got += n;
        }

        return Handshake.Parse(buffer);
    }

    private static async Task SendAsync(Socket socket, Handshake ours, CancellationToken ct)
    {
        var bytes = ours.ToArray();
        var sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, ct).ConfigureAwait(false);
        }
    }
}
