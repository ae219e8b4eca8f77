using Swarm.Actors.Torrent;

namespace Swarm.Actors.Pieces;

/// <summary>Messages between a torrent and the actors hashing its groups of small pieces.</summary>
public static class PieceGroupMessages
{
    /// <summary>A whole piece (one block: the piece is no larger than a block) sent by <paramref name="From"/>, to hash
    /// and write. A <paramref name="Pooled"/> array goes back to its pool once used. Issue 14 (piece count): a value in
    /// its batch's list, not a message of its own (an object per piece was 13 MB of a 1 GiB torrent of 4 KiB pieces).</summary>
    public readonly record struct SmallPiece(int Piece, PieceContributor From, byte[] Data, bool Pooled);

    /// <summary>Issue 14 (data path): the pieces of one group that came in one batch of a connection (or a single
    /// block), each taken in order; each is answered as a piece actor answers, with
    /// <see cref="PieceMessages.PieceHashed"/> (several at once in a <see cref="SmallPiecesHashed"/>), and the valid ones
    /// that follow each other go to storage in one write.</summary>
    public sealed record HashSmallPieces(IReadOnlyList<SmallPiece> Pieces);

    /// <summary>Issue 14 (data path): the reports of several pieces of one batch in one message, each handled as its
    /// own <see cref="PieceMessages.PieceHashed"/>; always told before storage is asked to write any of them.</summary>
    public sealed record SmallPiecesHashed(IReadOnlyList<SmallPieceReport> Pieces);

    /// <summary>One piece of a <see cref="SmallPiecesHashed"/>: what a <see cref="PieceMessages.PieceHashed"/> of its one
    /// contributor says. Issue 14 (piece count): a value in the batch's array, where a PieceHashed and its one-element
    /// contributor list per piece were 24 MB of a 1 GiB torrent of 4 KiB pieces.</summary>
    public readonly record struct SmallPieceReport(int Piece, bool Valid, PieceContributor From)
    {
        public PieceMessages.PieceHashed ToPieceHashed() => new(Piece, Valid, [From]);
    }
}
