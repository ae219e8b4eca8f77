using System.Net;
using Swarm.Actors.Peers.Encryption;
using Swarm.Protocol;

namespace Swarm.Actors.Peers;

/// <summary>Opens links to peers for the whole node: the one place that decides how a connection to a peer is
/// carried, so the connection actor and the metadata fetcher dial the same way. Connections leave from the node's
/// `--bind` address (<see cref="Configuration.PeerSettings.SourceAddress"/>), so a peer can tell others (PEX,
/// trackers) an address that answers.</summary>
public sealed class PeerDialer(IPAddress? source)
{
    public IPAddress? Source { get; } = source;

    /// <summary>MSE on dialled links (issue 16): the node's policy and the peers that dropped an encrypted dial.</summary>
    public EncryptionFallbacks Encryption { get; init; } = new(EncryptionPolicy.Disable);

    /// <summary>A connected link to <paramref name="peer"/> for the torrent <paramref name="infoHash"/>, ready for the
    /// BitTorrent handshake. On failure nothing is left open.</summary>
    /// <param name="infoHash">The torrent the link is for: an encrypted handshake (MSE) is keyed by it.</param>
    public Task<PeerLink> ConnectAsync(IPEndPoint peer, InfoHash infoHash, CancellationToken ct) =>
        LinkEncryption.DialAsync(token => ConnectTcpAsync(peer, token), peer, infoHash, Encryption, ct);

    private async Task<PeerLink> ConnectTcpAsync(IPEndPoint peer, CancellationToken ct)
    {
        var socket = OutgoingSockets.Tcp(peer.AddressFamily, Source);
        try
        {
            await socket.ConnectAsync(peer, ct).ConfigureAwait(false);
            return PeerLink.OverTcp(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
