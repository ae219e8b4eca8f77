using static Swarm.Actors.Pieces.PieceGroupMessages;
using static Swarm.Actors.Torrent.PieceMessages;

namespace Swarm.Actors.Torrent;

// Issue 14 (piece count): pieces of at most a block (v1) are hashed by group actors that report a batch at a time; what
// the torrent does per report is done once per batch where the outcome is the same, so that a torrent of 262,144
// pieces costs about what one of 4,096 does per byte.
public sealed partial class TorrentActor
{
    /// <summary>Issue 14 (piece count): a v1 torrent's pieces of exactly one block (16 KiB) are grouped like smaller
    /// ones. Each had its own piece actor, started and stopped for one block: with the same number of blocks, 4 GiB
    /// in 262,144 such pieces took 2.3 times the leecher CPU of 4 GiB in 4,096 pieces of 1 MiB (≈ 50 µs a piece).
    /// A v2 (or hybrid) torrent's keep their piece actors, which wait for hashes the torrent may still fetch.</summary>
    private static bool GroupWholeBlocks(Protocol.Metainfo.TorrentMetainfo meta) => meta.V2 is null;

    /// <summary>A group's reports of one batch, each taken as its own <see cref="PieceHashed"/> would be, except that the
    /// valid pieces one contributor sent in a row are credited to it, and queued for the disk, at once. A bad piece goes
    /// through <see cref="OnPieceHashed"/> after the credits before it, so a ban decides on the same record as piece by
    /// piece.</summary>
    private void OnSmallPiecesHashed(SmallPiecesHashed h)
    {
        PieceContributor? credited = null;
        var passed = 0;
        long bytes = 0;
        foreach (var one in h.Pieces)
        {
            if (!one.Valid || !_groups.Grouped)
            {
                Settle();
                OnPieceHashed(one.ToPieceHashed());
                continue;
            }

            var from = one.From;
            if (credited != from)
            {
                Settle();
                credited = from;
            }

            GroupPieceHashed(one.Piece, valid: true);
            passed++;
            bytes += _meta.PieceSize(one.Piece);
        }

        Settle();

        void Settle()
        {
            if (passed > 0)
            {
                _reputation = _reputation.PiecesPassed(credited!.Value, passed);
                _backlog = _backlog.Queued(bytes); // verified once storage confirms the write
            }

            passed = 0;
            bytes = 0;
        }
    }

    /// <summary>A piece of a group was hashed: a valid one waits for its write, and a group whose pieces are all hashed
    /// valid has its actor stopped (nothing more will come to it).</summary>
    private void GroupPieceHashed(int piece, bool valid)
    {
        if (valid)
        {
            _awaitingWrite.Add(piece);
        }

        if (_groups.Hashed(piece, valid))
        {
            StopGroup(_groups.GroupOf(piece));
        }
    }
}
