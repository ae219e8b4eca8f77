using Swarm.Actors.Configuration;

namespace Swarm.Actors.Pieces;

/// <summary>A block of a piece: <paramref name="Begin"/> is the byte offset inside the piece.</summary>
public readonly record struct BlockRef(int Piece, int Begin, int Length);

/// <summary>Chooses which blocks to request from which peer: random first pieces, then rarest first
/// (or in order when sequential), finishing started pieces before opening new ones, and an endgame that
/// requests the last outstanding blocks from several peers at once. The cost of a pick does not grow with the number
/// of pieces: pieces to start are grouped by rarity (<see cref="RarityBuckets"/>), sequential picking moves a cursor,
/// and only started pieces with free blocks are looked at again. Pure state, owned by the torrent actor.</summary>
public sealed class PiecePicker
{
    /// <summary>Random draws for a random first piece before falling back to the rarest the peer has (a peer with few
    /// pieces may miss every draw).</summary>
    private const int RandomFirstDraws = 16;

    private readonly int _pieceCount;
    private readonly Func<int, int> _pieceSize;
    private readonly int _blockLength;
    private readonly PickerSettings _settings;
    private readonly Random _random;
    private readonly RarityBuckets _toStart;
    private readonly Dictionary<int, PieceProgress> _inProgress = [];

    /// <summary>Started pieces with at least one block nobody was asked for, in piece order.</summary>
    private readonly SortedSet<int> _open = [];
    private readonly Dictionary<int, ScanMemory> _scans = [];
    private int _sequentialCursor; // no piece below it is still to start

    /// <summary>Grouped pieces (smaller than a block, or of one block in a v1 torrent) are picked in runs of consecutive
    /// pieces up to the end of their extent (the group one actor hashes, <see cref="PieceGroups"/>) while they are no
    /// more common than the piece before: one peer's writes land side by side on disk and a group finishes (its actor
    /// stops) soon after it starts. 1: pieces are picked one by one.</summary>
    private readonly int _extent;
    private readonly Dictionary<int, int> _runNext = []; // per peer: the piece after the last one it started
    private long _progressExamined;

    /// <summary>Issue 14 (piece count): the pieces of the peer a pick is for, read by <see cref="_usable"/>, a delegate
    /// made once: a closure over the peer's pieces cost two allocations per new piece (7 MB of a 1 GiB torrent of 4 KiB
    /// pieces).</summary>
    private PieceSet? _asking;
    private readonly Func<int, bool> _usable;

    /// <param name="groupWholeBlocks">Pieces of one block are grouped too (<see cref="PieceGroups"/>): as the torrent's.</param>
    public PiecePicker(int pieceCount, Func<int, int> pieceSize, int blockLength, PickerSettings settings, PieceSet have, bool sequential = false, Random? random = null, bool groupWholeBlocks = false)
    {
        _pieceCount = pieceCount;
        _pieceSize = pieceSize;
        _blockLength = blockLength;
        _settings = settings;
        _random = random ?? Random.Shared;
        _toStart = new RarityBuckets(pieceCount);
        for (var i = 0; i < pieceCount; i++)
        {
            if (!have[i])
            {
                _toStart.Add(i);
            }
        }

        Have = have;
        Sequential = sequential;
        _usable = piece => IsCandidate(piece, _asking!);
        _extent = pieceCount > 0 ? new PieceGroups(pieceCount, pieceSize(0), blockLength, settings.SmallPieceGroupBytes, groupWholeBlocks).Size : 1;
    }

    public PieceSet Have { get; }

    public bool Sequential { get; set; }

    public int InProgressCount => _inProgress.Count;

    /// <summary>Pieces and started pieces looked at by picks so far: the picking cost, which tests hold independent
    /// of the number of pieces.</summary>
    public long Examined => _toStart.Examined + _progressExamined;

    /// <summary>True once every missing piece is started and no block is left unrequested.</summary>
    public bool InEndgame => _open.Count == 0 && _inProgress.Count == _pieceCount - Have.Count;

    public int Availability(int piece) => _toStart.Availability(piece);

    public void PeerHas(int piece) => _toStart.Increment(piece);

    public void PeerHasAll(PieceSet pieces)
    {
        foreach (var i in pieces.Indices())
        {
            _toStart.Increment(i);
        }
    }

    public void PeerGone(PieceSet pieces)
    {
        foreach (var i in pieces.Indices())
        {
            _toStart.Decrement(i);
        }
    }

    /// <summary>Up to <paramref name="count"/> blocks for <paramref name="peer"/>, which holds <paramref name="peerHas"/>.</summary>
    public IReadOnlyList<BlockRef> Pick(int peer, PieceSet peerHas, int count)
    {
        var picked = new List<BlockRef>(count);
        if (count <= 0)
        {
            return picked;
        }

        // Continue the pieces this peer opened: a piece from one peer is verified sooner and, if bad, names its sender.
        TakeFromOpen(peer, peerHas, count, picked, own: true);
        while (picked.Count < count)
        {
            var next = ChooseNewPiece(peer, peerHas);
            if (next < 0)
            {
                break;
            }

            _toStart.Remove(next);
            if (_extent > 1)
            {
                _runNext[peer] = next + 1;
            }

            var progress = new PieceProgress(next, _pieceSize(next), _blockLength, peer);
            _inProgress[next] = progress;
            progress.TakeFree(peer, count - picked.Count, picked);
            UpdateOpen(next, progress);
        }

        // Nothing new left for this peer: help with pieces others opened.
        TakeFromOpen(peer, peerHas, count, picked, own: false);
        if (picked.Count < count && InEndgame)
        {
            foreach (var (index, progress) in _inProgress.OrderBy(_ => _random.Next()))
            {
                _progressExamined++;
                if (peerHas[index])
                {
                    progress.TakeDuplicate(peer, _settings.EndgameDuplicates, count - picked.Count, picked);
                    if (picked.Count == count)
                    {
                        break;
                    }
                }
            }
        }

        return picked;
    }

    /// <summary>Whether a peer holding <paramref name="peerHas"/> has anything we still need.</summary>
    public bool IsInteresting(PieceSet peerHas)
    {
        if (peerHas.IsComplete)
        {
            return !Have.IsComplete;
        }

        for (var i = 0; i < _pieceCount; i++)
        {
            if (peerHas[i] && !Have[i])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Records an arrived block. Returns the other peers that had it requested (to be sent Cancel),
    /// or null when the block was not wanted (already had, piece not in progress, not a block boundary, or not the
    /// block's length: only a whole block of its own size may enter a piece).</summary>
    public IReadOnlyList<int>? BlockReceived(int piece, int begin, int length, int peer, out bool pieceComplete)
    {
        pieceComplete = false;
        if (piece < 0 || piece >= _pieceCount || Have[piece] || !_inProgress.TryGetValue(piece, out var progress))
        {
            return null;
        }

        var others = progress.Receive(begin, length, peer);
        if (others is null)
        {
            return null;
        }

        UpdateOpen(piece, progress);
        pieceComplete = progress.AllReceived;
        return others;
    }

    public void Release(int peer, int piece, int begin)
    {
        if (_inProgress.TryGetValue(piece, out var progress))
        {
            progress.Release(peer, begin);
            UpdateOpen(piece, progress);
        }
    }

    /// <summary>Everything the peer was asked for is free again (it closed or choked us).</summary>
    public void ReleaseAll(int peer)
    {
        _scans.Remove(peer);
        _runNext.Remove(peer);
        foreach (var (piece, progress) in _inProgress)
        {
            progress.ReleaseAll(peer);
            UpdateOpen(piece, progress);
        }
    }

    public void PieceVerified(int piece)
    {
        Forget(piece);
        _toStart.Remove(piece);
        Have.Add(piece);
    }

    /// <summary>The piece failed its hash check: every block is wanted again.</summary>
    public void PieceFailed(int piece)
    {
        Forget(piece);
        if (!Have[piece])
        {
            _toStart.Add(piece);
            _sequentialCursor = Math.Min(_sequentialCursor, piece);
        }
    }

    /// <summary>The piece is no longer in progress.</summary>
    private void Forget(int piece)
    {
        if (_inProgress.Remove(piece, out var progress) && progress.Listed)
        {
            _open.Remove(piece);
        }
    }

    private void TakeFromOpen(int peer, PieceSet peerHas, int count, List<BlockRef> picked, bool own)
    {
        if (picked.Count == count || _open.Count == 0)
        {
            return;
        }

        List<int>? exhausted = null;
        foreach (var index in _open)
        {
            _progressExamined++;
            var progress = _inProgress[index];
            if ((progress.Owner == peer) == own && peerHas[index])
            {
                progress.TakeFree(peer, count - picked.Count, picked);
                if (progress.FreeCount == 0)
                {
                    (exhausted ??= []).Add(index);
                }

                if (picked.Count == count)
                {
                    break;
                }
            }
        }

        foreach (var index in exhausted ?? [])
        {
            _open.Remove(index);
            _inProgress[index].Listed = false;
        }
    }

    /// <summary>Keeps the piece in <see cref="_open"/> while it has free blocks; the sorted set is touched only when
    /// that changes (issue 14: with pieces of one block, every pick and every arrival would walk it).</summary>
    private void UpdateOpen(int piece, PieceProgress progress)
    {
        var open = progress.FreeCount > 0;
        if (open == progress.Listed)
        {
            return;
        }

        progress.Listed = open;
        if (open)
        {
            _open.Add(piece);
        }
        else
        {
            _open.Remove(piece);
        }
    }

    private int ChooseNewPiece(int peer, PieceSet peerHas)
    {
        if (_toStart.Count == 0)
        {
            return -1;
        }

        if (Sequential)
        {
            while (_sequentialCursor < _pieceCount && !_toStart.Contains(_sequentialCursor))
            {
                _sequentialCursor++;
            }

            for (var i = _sequentialCursor; i < _pieceCount; i++)
            {
                _progressExamined++;
                if (IsCandidate(i, peerHas))
                {
                    return i;
                }
            }

            return -1;
        }

        // The run goes on inside its extent, unless the next piece is more common than the one before: rarest first
        // still decides between pieces of different availability.
        if (_extent > 1 && _runNext.TryGetValue(peer, out var following) && following < _pieceCount && following % _extent != 0)
        {
            _progressExamined++;
            if (IsCandidate(following, peerHas) && _toStart.Availability(following) <= _toStart.Availability(following - 1))
            {
                return following;
            }
        }

        _asking = peerHas;
        if (Have.Count < _settings.RandomFirstPieces && _toStart.FindRandom(_usable, _random, RandomFirstDraws) is var random and >= 0)
        {
            return RunStart(random, peerHas);
        }

        // Rarest first; ties broken at random so that peers spread over the rare pieces.
        if (peerHas.IsComplete)
        {
            return RunStart(_toStart.FindRarest(_usable, _random), peerHas); // a seed can use any piece of the first group
        }

        if (!_scans.TryGetValue(peer, out var seen))
        {
            _scans[peer] = seen = new ScanMemory();
        }

        return RunStart(_toStart.FindRarest(_usable, _random, seen), peerHas);
    }

    /// <summary>Issue 14 (piece count): a new run of small pieces starts at the first piece before
    /// <paramref name="piece"/> in its extent that the peer could start as well, no more common: where the random
    /// tie-break landed mid-extent, the run covered only the extent's end, and its start was left to later runs. A
    /// 1 GiB torrent of 4 KiB pieces then kept thousands of groups (and their hashing actors) open at once and wrote a
    /// piece or two at a time. Looks at most an extent back.</summary>
    private int RunStart(int piece, PieceSet peerHas)
    {
        if (_extent <= 1 || piece < 0)
        {
            return piece;
        }

        var availability = _toStart.Availability(piece);
        for (var start = piece - (piece % _extent); piece > start; piece--)
        {
            _progressExamined++;
            if (!IsCandidate(piece - 1, peerHas) || _toStart.Availability(piece - 1) > availability)
            {
                break;
            }
        }

        return piece;
    }

    private bool IsCandidate(int piece, PieceSet peerHas) => peerHas[piece] && !Have[piece] && _toStart.Contains(piece);
}
