namespace Swarm.Actors.Pieces;

/// <summary>One started piece of the <see cref="PiecePicker"/>: which of its blocks arrived, and which peers each block
/// was asked of. Issue 14 (piece count): a torrent of pieces smaller than a block starts one of these per block, so it
/// costs three allocations (itself and two one-element arrays for such a piece) where it cost six: block lengths are
/// computed, a block's first requester sits in an array, and only endgame duplicates get a list.</summary>
internal sealed class PieceProgress
{
    /// <summary>No peer was asked for the block (peer keys are positive).</summary>
    private const int None = int.MinValue;

    private readonly int _piece;
    private readonly int _size;
    private readonly int _blockLength;
    private readonly bool[] _received;
    private readonly int[] _first; // the block's first requester, None when nobody has it asked
    private List<int>?[]? _more; // further requesters of a block (endgame duplicates), made at the first
    private int _receivedCount;

    public PieceProgress(int piece, int size, int blockLength, int owner)
    {
        _piece = piece;
        _size = size;
        _blockLength = blockLength;
        Owner = owner;
        var blocks = (size + blockLength - 1) / blockLength;
        _received = new bool[blocks];
        _first = new int[blocks];
        Array.Fill(_first, None);
        FreeCount = blocks;
    }

    /// <summary>The peer that opened the piece; it keeps priority on its blocks.</summary>
    public int Owner { get; }

    public bool AllReceived => _receivedCount == _received.Length;

    /// <summary>Blocks neither received nor asked of any peer.</summary>
    public int FreeCount { get; private set; }

    /// <summary>Whether the picker lists the piece among those with free blocks (its own bookkeeping, kept here so
    /// that it touches its sorted set only when that changes).</summary>
    public bool Listed { get; set; }

    public void TakeFree(int peer, int max, List<BlockRef> into)
    {
        for (var b = 0; b < _received.Length && max > 0; b++)
        {
            if (!_received[b] && _first[b] == None)
            {
                _first[b] = peer;
                FreeCount--;
                into.Add(Block(b));
                max--;
            }
        }
    }

    public void TakeDuplicate(int peer, int maxRequesters, int max, List<BlockRef> into)
    {
        for (var b = 0; b < _received.Length && max > 0; b++)
        {
            if (!_received[b] && Requesters(b) < maxRequesters && !Asked(b, peer))
            {
                if (_first[b] == None)
                {
                    _first[b] = peer;
                }
                else
                {
                    ((_more ??= new List<int>?[_received.Length])[b] ??= []).Add(peer);
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
        if (b >= _received.Length || _received[b] || Length(b) != length)
        {
            return null;
        }

        if (_first[b] == None)
        {
            FreeCount--; // a late block of a request given up: it was free again
        }

        _received[b] = true;
        _receivedCount++;
        IReadOnlyList<int> others = _more?[b] is { Count: > 0 } more
            ? [.. more.Prepend(_first[b]).Where(r => r != peer)]
            : _first[b] == None || _first[b] == peer ? [] : [_first[b]];
        _first[b] = None;
        _more?[b]?.Clear();
        return others;
    }

    public void Release(int peer, int begin)
    {
        var b = begin / _blockLength;
        if (b >= 0 && b < _received.Length)
        {
            Drop(b, peer);
        }
    }

    public void ReleaseAll(int peer)
    {
        for (var b = 0; b < _received.Length; b++)
        {
            Drop(b, peer);
        }
    }

    private int Length(int b) => Math.Min(_blockLength, _size - (b * _blockLength));

    private BlockRef Block(int b) => new(_piece, b * _blockLength, Length(b));

    private int Requesters(int b) => (_first[b] == None ? 0 : 1) + (_more?[b]?.Count ?? 0);

    private bool Asked(int b, int peer) => _first[b] == peer || (_more?[b]?.Contains(peer) ?? false);

    /// <summary>The peer is no longer asked for the block; a block nobody is asked for any more is free again.</summary>
    private void Drop(int b, int peer)
    {
        if (_first[b] == peer)
        {
            var more = _more?[b];
            if (more is { Count: > 0 })
            {
                _first[b] = more[^1]; // the first requester is the one kept in the array
                more.RemoveAt(more.Count - 1);
                return;
            }

            _first[b] = None;
        }
        else if (_more?[b]?.Remove(peer) != true)
        {
            return;
        }

        if (_first[b] == None && !_received[b])
        {
            FreeCount++;
        }
    }
}
