namespace Swarm.Actors.Torrent;

/// <summary>Messages between a torrent and the piece actors assembling its pieces.</summary>
public static class PieceMessages
{
    /// <summary>A block of the piece, sent by peer <paramref name="Peer"/>, to copy into the piece's buffer.</summary>
    public sealed record AssembleBlock(int Peer, int Begin, byte[] Data);

    /// <summary>All blocks arrived and were hashed; <paramref name="Contributors"/> are the peers that sent them.</summary>
    public sealed record PieceHashed(int Piece, bool Valid, IReadOnlyList<int> Contributors);
}
