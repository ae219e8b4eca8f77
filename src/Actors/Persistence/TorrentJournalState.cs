using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.InteropServices;
using Swarm.Actors.Pieces;

namespace Swarm.Actors.Persistence;

/// <summary>One torrent's journaled state: its verified pieces, whether it is paused (and why), and the files and
/// folders it created (the only ones its data deletion may touch). <see cref="Apply"/>
/// is the only way it changes: the journal actor replays rows and snapshots through it and applies each event it
/// persists, and the torrent applies each event it sends, so both sides compute the state the same way.</summary>
/// <remarks>Immutable: every change copies the bitfield (one bit per piece, so a few KiB for a large torrent).</remarks>
public sealed class TorrentJournalState
{
    private readonly ImmutableArray<byte> _bitfield;

    private TorrentJournalState(int pieceCount, ImmutableArray<byte> bitfield, bool paused, string? pauseReason, Created created)
    {
        PieceCount = pieceCount;
        _bitfield = bitfield;
        Paused = paused;
        PauseReason = pauseReason;
        VerifiedCount = bitfield.Sum(b => BitOperations.PopCount(b));
        CreatedFiles = created.Files;
        CreatedFolders = created.Folders;
    }

    public int PieceCount { get; }

    public int VerifiedCount { get; }

    public bool Paused { get; }

    /// <summary>What the person gave when pausing (null when not paused, or paused without a reason).</summary>
    public string? PauseReason { get; }

    /// <summary>Indices of the files (and links) this torrent created.</summary>
    public ImmutableSortedSet<int> CreatedFiles { get; }

    /// <summary>Folders this torrent created, relative to its save folder.</summary>
    public ImmutableSortedSet<string> CreatedFolders { get; }

    private Created Made => new(CreatedFiles, CreatedFolders);

    /// <summary>A torrent that has never journaled anything.</summary>
    public static TorrentJournalState Empty(int pieceCount) =>
        new(pieceCount, ImmutableCollectionsMarshal.AsImmutableArray(new byte[(pieceCount + 7) / 8]), false, null, Created.None);

    /// <summary>The snapshot rule, written once: a snapshot after every <paramref name="snapshotEvery"/> journal rows
    /// bounds what recovery replays.</summary>
    public static bool SnapshotDue(long sequenceNr, int snapshotEvery) => snapshotEvery > 0 && sequenceNr % snapshotEvery == 0;

    public bool IsVerified(int piece) => piece >= 0 && piece < PieceCount && (_bitfield[piece >> 3] & (0x80 >> (piece & 7))) != 0;

    public IEnumerable<int> VerifiedPieces() => Enumerable.Range(0, PieceCount).Where(IsVerified);

    /// <summary>A mutable copy for the one actor that works on it (a quick check, a picker).</summary>
    public PieceSet ToPieceSet() => PieceSet.FromBytes(_bitfield.AsSpan(), PieceCount);

    /// <summary>The state after <paramref name="e"/>. Piece numbers outside the torrent are ignored (a row written for
    /// another metainfo must not break recovery); events of other journals leave it unchanged.</summary>
    public TorrentJournalState Apply(IPersistedEvent e) => e switch
    {
        PiecesVerified v => WithPieces(v.Pieces, keepVerified: true),
        PiecesRechecked r => WithPieces(r.Verified, keepVerified: false),
        TorrentPaused p => new(PieceCount, _bitfield, true, p.Reason, Made),
        TorrentResumed => new(PieceCount, _bitfield, false, null, Made),
        TorrentFilesCreated c => new(PieceCount, _bitfield, Paused, PauseReason, new(CreatedFiles.Union(c.Files ?? []), CreatedFolders.Union(c.Folders ?? []))),
        // A snapshot of another piece count belongs to other metainfo under this id: it is not ours to trust.
        TorrentSnapshot s when s.PieceCount == PieceCount => FromBitfield(s.Verified, s.Paused, s.PauseReason, new(
            ImmutableSortedSet.CreateRange(s.CreatedFiles ?? []), ImmutableSortedSet.CreateRange(StringComparer.Ordinal, s.CreatedFolders ?? []))),
        _ => this,
    };

    /// <summary>This state in one row (the inverse of applying a <see cref="TorrentSnapshot"/>).</summary>
    public TorrentSnapshot ToSnapshot() => new(PieceCount, _bitfield.ToArray(), Paused, PauseReason)
    {
        CreatedFiles = [.. CreatedFiles],
        CreatedFolders = [.. CreatedFolders],
    };

    private TorrentJournalState WithPieces(IEnumerable<int> pieces, bool keepVerified)
    {
        var bits = keepVerified ? _bitfield.ToArray() : new byte[_bitfield.Length];
        foreach (var piece in pieces.Where(p => p >= 0 && p < PieceCount))
        {
            bits[piece >> 3] |= (byte)(0x80 >> (piece & 7));
        }

        return new(PieceCount, ImmutableCollectionsMarshal.AsImmutableArray(bits), Paused, PauseReason, Made);
    }

    private TorrentJournalState FromBitfield(byte[] verified, bool paused, string? reason, Created created)
    {
        // Only bits of real pieces count: trailing bits and a short array are read as "not verified".
        var bits = new byte[_bitfield.Length];
        for (var piece = 0; piece < PieceCount && (piece >> 3) < verified.Length; piece++)
        {
            bits[piece >> 3] |= (byte)(verified[piece >> 3] & (0x80 >> (piece & 7)));
        }

        return new(PieceCount, ImmutableCollectionsMarshal.AsImmutableArray(bits), paused, reason, created);
    }

    private sealed record Created(ImmutableSortedSet<int> Files, ImmutableSortedSet<string> Folders)
    {
        public static Created None { get; } = new(ImmutableSortedSet<int>.Empty, ImmutableSortedSet.Create<string>(StringComparer.Ordinal));
    }
}
