namespace Swarm.Actors.Torrent;

/// <summary>Messages between a torrent and the piece actors assembling its pieces.</summary>
public static class PieceMessages
{
    /// <summary>A block of the piece, sent by <paramref name="From"/> (a peer we asked for it), to copy into the
    /// piece's buffer. A <paramref name="Pooled"/> array goes back to its pool once copied (or refused).</summary>
    public sealed record AssembleBlock(PieceContributor From, int Begin, byte[] Data, bool Pooled = false);

    /// <summary>Issue 14 (data path): several blocks of the piece from one batch of one connection, taken in order as
    /// if each came alone; one mailbox hop for all of them.</summary>
    public sealed record AssembleBlocks(IReadOnlyList<AssembleBlock> Blocks);

    /// <summary>All blocks arrived and were hashed; <paramref name="Contributors"/> are the peers that sent them, named
    /// by endpoint and peer id so that a bad piece is blamed on them even after they disconnected.</summary>
    public sealed record PieceHashed(int Piece, bool Valid, IReadOnlyList<PieceContributor> Contributors);
}
