namespace Swarm.Actors.Pieces;

/// <summary>Pieces smaller than a block, and (v1) pieces of exactly one block (each arrives whole, so nothing to
/// assemble) are hashed by one actor per group of consecutive pieces rather than one actor per piece: creating and
/// stopping an actor costs more than hashing 1 KiB, and a torrent of 262,144 such pieces would start 262,144 actors.
/// This holds which group a piece is in and, per group with an actor, the pieces sent to it and not yet reported, and
/// how many of its pieces are still to hash: the torrent stops the group's actor when none is left. Mutable: owned by
/// one torrent actor.</summary>
public sealed class PieceGroups
{
    private readonly int _pieceCount;
    private readonly Dictionary<int, Group> _open = [];

    /// <param name="groupBytes">About how many bytes of pieces a group holds; pieces larger than a block are never
    /// grouped (<see cref="Size"/> 1).</param>
    /// <param name="wholeBlocks">Pieces of exactly one block are grouped too (a v1 torrent's: a v2 piece is checked
    /// against hashes its piece actor may have to wait for).</param>
    public PieceGroups(int pieceCount, int pieceLength, int blockLength, long groupBytes, bool wholeBlocks = false)
    {
        _pieceCount = pieceCount;
        var single = pieceLength > blockLength || (pieceLength == blockLength && !wholeBlocks) || pieceLength <= 0;
        Size = single ? 1 : (int)Math.Clamp(groupBytes / pieceLength, 1, int.MaxValue);
    }

    /// <summary>Pieces per group; 1: each piece has its own piece actor.</summary>
    public int Size { get; }

    public bool Grouped => Size > 1;

    /// <summary>Groups with an actor.</summary>
    public int OpenCount => _open.Count;

    public int GroupOf(int piece) => piece / Size;

    public bool IsOpen(int group) => _open.ContainsKey(group);

    /// <summary>The group gets an actor: every piece of it not <paramref name="done"/> is still to hash.</summary>
    public void Open(int group, Func<int, bool> done)
    {
        var missing = 0;
        var end = Math.Min(_pieceCount, (group + 1) * Size);
        for (var piece = group * Size; piece < end; piece++)
        {
            if (!done(piece))
            {
                missing++;
            }
        }

        _open[group] = new Group(missing, end - (group * Size));
    }

    /// <summary>A piece's block went to its group's actor.</summary>
    public void Sent(int piece)
    {
        if (_open.TryGetValue(GroupOf(piece), out var g))
        {
            g.Add(piece % Size);
        }
    }

    /// <summary>The group's actor reported the piece. True when the group is finished: nothing sent is unreported
    /// and every piece of it hashed valid, so its actor can stop.</summary>
    public bool Hashed(int piece, bool valid)
    {
        if (!_open.TryGetValue(GroupOf(piece), out var g) || !g.Remove(piece % Size))
        {
            return false;
        }

        if (valid)
        {
            g.Missing--;
        }

        return g.Missing <= 0 && g.Outstanding == 0;
    }

    /// <summary>The group has no actor any more; returns the pieces it was sent and never reported (wanted again).</summary>
    public IReadOnlyCollection<int> Close(int group)
    {
        if (!_open.Remove(group, out var g) || g.Outstanding == 0)
        {
            return [];
        }

        var pieces = new List<int>(g.Outstanding);
        for (var i = 0; i < g.Length; i++)
        {
            if (g.IsSent(i))
            {
                pieces.Add((group * Size) + i);
            }
        }

        return pieces;
    }

    public void Clear() => _open.Clear();

    /// <summary>Issue 14 (piece count): the pieces sent and not reported are a bit each over the group's pieces, not a
    /// hash set (a thousand groups of 4 KiB pieces grew one each, ≈ 7 MB of a 1 GiB torrent).</summary>
    private sealed class Group(int missing, int length)
    {
        private readonly ulong[] _sent = new ulong[(length + 63) / 64];

        public int Missing { get; set; } = missing;

        /// <summary>Pieces in the group.</summary>
        public int Length { get; } = length;

        /// <summary>Pieces sent and not reported.</summary>
        public int Outstanding { get; private set; }

        public bool IsSent(int i) => (_sent[i >> 6] & (1UL << (i & 63))) != 0;

        public void Add(int i)
        {
            if (!IsSent(i))
            {
                _sent[i >> 6] |= 1UL << (i & 63);
                Outstanding++;
            }
        }

        public bool Remove(int i)
        {
            if (!IsSent(i))
            {
                return false;
            }

            _sent[i >> 6] &= ~(1UL << (i & 63));
            Outstanding--;
            return true;
        }
    }
}
