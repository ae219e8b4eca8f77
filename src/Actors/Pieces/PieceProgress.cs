namespace Swarm.Actors.Pieces;

/// <summary>One started piece of the <see cref="PiecePicker"/>: which of its blocks arrived, and which peers each block
/// was asked of. Issue 14 (piece count): a torrent of pieces smaller than a block starts one of these per block, so a
/// piece of one block keeps its block's state in two fields and costs one allocation (it cost six, then three with two
/// one-element arrays: 21 MB of a 1 GiB torrent of 4 KiB pieces): block lengths are computed, a larger piece's first
/// requesters sit in an array, and only endgame duplicates get a list.</summary>
internal sealed class PieceProgress
{
    /// <summary>No peer was asked for the block (peer keys are positive).</summary>
    private const int None = int.MinValue;

    private readonly int _piece;
    private readonly int _size;
    private readonly int _blockLength;
    private readonly int _blocks;
    private readonly bool[]? _received; // null for a piece of one block: _received0 holds its state
    private readonly int[]? _first; // the block's first requester, None when nobody has it asked; likewise
    private bool _received0;
    private int _first0 = None;
    private List<int>?[]? _more; // further requesters of a block (endgame duplicates), made at the first
    private int _receivedCount;

    public PieceProgress(int piece, int size, int blockLength, int owner)
    {
        _piece = piece;
        _size = size;
        _blockLength = blockLength;
        Owner = owner;
        var blocks = (size + blockLength - 1) / blockLength;
        _blocks = blocks;
        if (blocks != 1)
        {
            _received = new bool[blocks];
            _first = new int[blocks];
            Array.Fill(_first, None);
        }

        FreeCount = blocks;
    }

    /// <summary>The peer that opened the piece; it keeps priority on its blocks.</summary>
    public int Owner { get; }

    public bool AllReceived => _receivedCount == _blocks;

    /// <summary>Blocks neither received nor asked of any peer.</summary>
    public int FreeCount { get; private set; }

    /// <summary>Whether the picker lists the piece among those with free blocks (its own bookkeeping, kept here so
    /// that it touches its sorted set only when that changes).</summary>
    public bool Listed { get; set; }

    public void TakeFree(int peer, int max, List<BlockRef> into)
    {
        for (var b = 0; b < _blocks && max > 0; b++)
        {
            if (!Received(b) && First(b) == None)
            {
                First(b) = peer;
                FreeCount--;
                into.Add(Block(b));
                max--;
            }
        }
    }

    public void TakeDuplicate(int peer, int maxRequesters, int max, List<BlockRef> into)
    {
        for (var b = 0; b < _blocks && max > 0; b++)
        {
            if (!Received(b) && Requesters(b) < maxRequesters && !Asked(b, peer))
            {
                if (First(b) == None)
                {
                    First(b) = peer;
                }
                else
                {
                    ((_more ??= new List<int>?[_blocks])[b] ??= []).Add(peer);
                }

                into.Add(Block(b));
                max--;
            }
        }
    }

    /// <summary>The other peers the block was asked of (to cancel), or null when it is not wanted: not at a block
    /// boundary, already received, or not the block's length.</summary>
    public IReadOnlyList<int>? Receive(int begin, int length, int peer)
    {
        if (begin < 0 || begin % _blockLength != 0)
        {
            return null;
        }

        var b = begin / _blockLength;
        if (b >= _blocks || Received(b) || Length(b) != length)
        {
            return null;
        }

        if (First(b) == None)
        {
            FreeCount--; // a late block of a request given up: it was free again
        }

        Received(b) = true;
        _receivedCount++;
        IReadOnlyList<int> others = _more?[b] is { Count: > 0 } more
            ? OthersThan(peer, First(b), more)
            : First(b) == None || First(b) == peer ? [] : [First(b)];
        First(b) = None;
        _more?[b]?.Clear();
        return others;
    }

    public void Release(int peer, int begin)
    {
        var b = begin / _blockLength;
        if (b >= 0 && b < _blocks)
        {
            Drop(b, peer);
        }
    }

    public void ReleaseAll(int peer)
    {
        for (var b = 0; b < _blocks; b++)
        {
            Drop(b, peer);
        }
    }

    /// <summary>Endgame: the requesters of a block but <paramref name="peer"/>. A method of its own: a lambda over the
    /// peer in <see cref="Receive"/> made its closure on every call (issue 14: per block, 6 MB of a 1 GiB torrent of
    /// 4 KiB pieces), endgame or not.</summary>
    private static int[] OthersThan(int peer, int first, List<int> more) =>
        [.. more.Prepend(first).Where(r => r != peer)];

    /// <summary>Whether block <paramref name="b"/> arrived: in the array, or in its field for a piece of one block.</summary>
    private ref bool Received(int b) => ref _received is null ? ref _received0 : ref _received[b];

    /// <summary>Block <paramref name="b"/>'s first requester (<see cref="None"/>: nobody), likewise.</summary>
    private ref int First(int b) => ref _first is null ? ref _first0 : ref _first[b];

    private int Length(int b) => Math.Min(_blockLength, _size - (b * _blockLength));

    private BlockRef Block(int b) => new(_piece, b * _blockLength, Length(b));

    private int Requesters(int b) => (First(b) == None ? 0 : 1) + (_more?[b]?.Count ?? 0);

    private bool Asked(int b, int peer) => First(b) == peer || (_more?[b]?.Contains(peer) ?? false);

    /// <summary>The peer is no longer asked for the block; a block nobody is asked for any more is free again.</summary>
    private void Drop(int b, int peer)
    {
        if (First(b) == peer)
        {
            var more = _more?[b];
            if (more is { Count: > 0 })
            {
                First(b) = more[^1]; // the first requester is the one kept in the array
                more.RemoveAt(more.Count - 1);
                return;
            }

            First(b) = None;
        }
        else if (_more?[b]?.Remove(peer) != true)
        {
            return;
        }

        if (First(b) == None && !Received(b))
        {
            FreeCount++;
        }
    }
}
