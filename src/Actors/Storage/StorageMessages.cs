using Swarm.Actors.Picking;

namespace Swarm.Actors.Storage;

public static class StorageMessages
{
    /// <summary>Create folders and sparse files, then hash whatever data is already there.</summary>
    public sealed record PrepareAndCheck(bool CreateFiles);

    public sealed record CheckCompleted(PieceSet Verified, IReadOnlyList<int> BadPieces, TimeSpan Elapsed);

    /// <summary>A verified piece to write. The buffer comes from the node's <see cref="PieceBufferPool"/>;
    /// ownership passes to the storage actor, which returns it.</summary>
    public sealed record WritePiece(int Piece, byte[] Buffer, int Length);

    public sealed record PieceWritten(int Piece);

    /// <summary>The disk refused (full, read-only, removed): the torrent must pause with this error.</summary>
    public sealed record StorageFailed(string Error);
}
