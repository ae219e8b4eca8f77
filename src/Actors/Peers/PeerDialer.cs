using System.Net;
using Swarm.Actors.Peers.Encryption;
using Swarm.Actors.Utp;
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

    /// <summary>A connected link to <paramref name="peer"/> over TCP for the torrent <paramref name="infoHash"/>,
    /// encrypted per <see cref="Encryption"/> and ready for the BitTorrent handshake. On failure nothing is left open.</summary>
    /// <param name="infoHash">The torrent the link is for: an encrypted handshake (MSE) is keyed by it.</param>
    public Task<PeerLink> ConnectAsync(IPEndPoint peer, InfoHash infoHash, CancellationToken ct) =>
        ConnectAsync(peer, infoHash, PeerTransport.Tcp, ct);

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

    // uTP (issue 16): the transport policy. Set once by the node when its uTP endpoint starts; without it, TCP only.
    private volatile UtpDialer? _utp;

    public void UseUtp(UtpDialer utp) => _utp = utp;

    /// <summary>The transports to try for <paramref name="peer"/>, in order (TCP only while uTP is off).</summary>
    public IReadOnlyList<PeerTransport> TransportsFor(IPEndPoint peer) => _utp?.Order(peer) ?? [PeerTransport.Tcp];

    /// <summary>A handshake completed with <paramref name="peer"/> over <paramref name="transport"/>: try it first next time.</summary>
    public void Worked(IPEndPoint peer, PeerTransport transport) => _utp?.Remember(peer, transport);

    /// <summary>A connected link to <paramref name="peer"/> over <paramref name="transport"/>, encrypted per
    /// <see cref="Encryption"/> whatever carries it.</summary>
    public Task<PeerLink> ConnectAsync(IPEndPoint peer, InfoHash infoHash, PeerTransport transport, CancellationToken ct) =>
        LinkEncryption.DialAsync(
            token => transport == PeerTransport.Utp && _utp is { } utp ? utp.ConnectAsync(peer, token) : ConnectTcpAsync(peer, token),
            peer,
            infoHash,
            Encryption,
            ct);
}
