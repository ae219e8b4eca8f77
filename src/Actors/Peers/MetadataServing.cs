using Swarm.Protocol.PeerWire;

namespace Swarm.Actors.Peers;

/// <summary>Our side of ut_metadata (BEP 9) on a torrent we have: a peer that came with a magnet link asks for pieces
/// of our info dictionary, and gets each one, or a reject for a piece past its end.</summary>
public static class MetadataServing
{
    /// <param name="message">A ut_metadata message the peer sent us.</param>
    /// <param name="theirId">The peer's id for ut_metadata from its extended handshake (0: it did not announce one, so
    /// it has no way to read an answer).</param>
    /// <param name="info">Our metainfo's info dictionary, as its bytes.</param>
    /// <returns>The message to send back, or null when there is nothing to answer (we never ask peers of a torrent we
    /// already have for metadata, so their data and rejects are not answers to us).</returns>
    public static Extended? Answer(MetadataMessage message, byte theirId, byte[] info)
    {
        if (message.Type != MetadataMessageType.Request || theirId == 0)
        {
            return null;
        }

        var reply = message.Piece < MetadataMessage.PieceCount(info.Length) ? MetadataMessage.DataOf(info, message.Piece) : MetadataMessage.Reject(message.Piece);
        return new Extended(theirId, reply.Encode());
    }
}
