using Swarm.Actors.Pieces;
using Swarm.Protocol.Metainfo;
using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

/// <summary>What we say first on a connection, right after the handshakes: our BEP 10 extended handshake when the peer
/// speaks the extension protocol, then what we have in the shortest form the peer understands.</summary>
public static class ConnectionOpening
{
    /// <param name="remote">The peer's handshake (which extensions it supports).</param>
    /// <param name="ours">Our verified pieces.</param>
    /// <param name="metainfo">Our torrent: metadata is served for magnet links (BEP 9) unless it is private (BEP 27:
    /// the metadata of a private torrent stays with the peers of its own trackers, who have the .torrent).</param>
    /// <param name="listenPort">Where peers reach us, for the extended handshake.</param>
    /// <param name="maxIncomingRequests">The request queue we advertise (<c>reqq</c>).</param>
    /// <param name="pex">Peer exchange is on (issue 15); never offered for a private torrent (BEP 27).</param>
    public static IReadOnlyList<PeerMessage> Messages(Handshake remote, PieceSet ours, TorrentMetainfo metainfo, int listenPort, int maxIncomingRequests, bool pex = false)
    {
        var messages = new List<PeerMessage>(2);
        if (remote.SupportsExtensions)
        {
            var servesMetadata = !metainfo.IsPrivate;
            var ext = ExtensionHandshake.Ours(servesMetadata, listenPort, servesMetadata ? metainfo.InfoBytes.Length : null, maxIncomingRequests, pex && !metainfo.IsPrivate);
            messages.Add(new Extended(0, ext.Encode()));
        }

        // Without BEP 6, having nothing is said by saying nothing (BEP 3 lets a peer with no pieces skip the bitfield).
        if (remote.SupportsFast && ours.Count == 0)
        {
            messages.Add(HaveNone.Instance);
        }
        else if (remote.SupportsFast && ours.IsComplete)
        {
            messages.Add(HaveAll.Instance);
        }
        else if (ours.Count > 0)
        {
            messages.Add(new Bitfield(ours.ToBytes()));
        }

        return messages;
    }
}
