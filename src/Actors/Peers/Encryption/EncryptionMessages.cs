using Swarm.Protocol;

namespace Swarm.Actors.Peers.Encryption;

/// <summary>What the listener asks the catalog during an incoming MSE handshake: the initiator names its torrent only
/// through HASH('req2', info-hash), so the receiver needs every info-hash it serves to find which one.</summary>
public static class EncryptionMessages
{
    /// <summary>listener → catalog: which torrents does the node serve now?</summary>
    public sealed record ListServedTorrents
    {
        public static ListServedTorrents Instance { get; } = new();
    }

    /// <summary>The catalog's answer to <see cref="ListServedTorrents"/>: the running torrents' info-hashes.</summary>
    public sealed record ServedTorrents(IReadOnlyCollection<InfoHash> InfoHashes);
}
