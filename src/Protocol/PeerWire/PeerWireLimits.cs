namespace Swarm.Protocol.PeerWire;

/// <param name="MaxBlockLength">Largest block a peer may send or request (16 KiB is what every client uses).</param>
/// <param name="PieceCount">Bounds a bitfield at ceil(PieceCount / 8) bytes.</param>
/// <param name="MaxExtendedLength">Largest BEP 10 payload accepted (metadata pieces are 16 KiB plus a small header).</param>
public sealed record PeerWireLimits(int MaxBlockLength, int PieceCount, int MaxExtendedLength)
{
    public int BitfieldLength => (PieceCount + 7) / 8;

    public int MaxLengthFor(byte id) => id switch
    {
        MessageId.Choke or MessageId.Unchoke or MessageId.Interested or MessageId.NotInterested
            or MessageId.HaveAll or MessageId.HaveNone => 1,
        MessageId.Have or MessageId.SuggestPiece or MessageId.AllowedFast => 5,
        MessageId.Port => 3,
        MessageId.Request or MessageId.Cancel or MessageId.RejectRequest => 13,
        MessageId.Bitfield => 1 + BitfieldLength,
        MessageId.Piece => 9 + MaxBlockLength,
        MessageId.Extended => 2 + MaxExtendedLength,
        HashMessages.HashRequestId or HashMessages.HashRejectId => 1 + HashMessages.RequestBody, // BEP 52
        HashMessages.HashesId => 1 + HashMessages.MaxHashesBody,
        _ => 1 + MaxExtendedLength, // unknown ids are skipped, but not without bound
    };
}
