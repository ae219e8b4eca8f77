using Swarm.Actors.Torrent;

namespace Swarm.Actors.Pieces;

/// <summary>Messages between a torrent and the actors hashing its groups of small pieces.</summary>
public static class PieceGroupMessages
{
    /// <summary>A whole piece (one block: the piece is smaller than a block) sent by <paramref name="From"/>, to hash
    /// and write. A <paramref name="Pooled"/> array goes back to its pool once used. Answered with
    /// <see cref="PieceMessages.PieceHashed"/>, as a piece actor answers.</summary>
    public sealed record HashSmallPiece(int Piece, PieceContributor From, byte[] Data, bool Pooled);

    /// <summary>Issue 14 (data path): the pieces of one group that came in one batch of a connection, each taken as a
    /// <see cref="HashSmallPiece"/> is; the valid ones that follow each other go to storage in one write.</summary>
    public sealed record HashSmallPieces(IReadOnlyList<HashSmallPiece> Pieces);

    /// <summary>Issue 14 (data path): the reports of several pieces of one batch in one message, each handled as its
    /// own <see cref="PieceMessages.PieceHashed"/>; always told before storage is asked to write any of them.</summary>
    public sealed record SmallPiecesHashed(IReadOnlyList<PieceMessages.PieceHashed> Pieces);
}
