using Swarm.Actors.Configuration;

namespace Swarm.Actors.Pieces;

/// <summary>A block of a piece: <paramref name="Begin"/> is the byte offset inside the piece.</summary>
public readonly record struct BlockRef(int Piece, int Begin, int Length);

/// <summary>Chooses which blocks to request from which peer: random first pieces, then rarest first
/// (or in order when sequential), finishing started pieces before opening new ones, and an endgame that
/// requests the last outstanding blocks from several peers at once. Pure state, owned by the torrent actor.</summary>
public sealed class PiecePicker
{
    private readonly int _pieceCount;
    private readonly Func<int, int> _pieceSize;
    private readonly int _blockLength;
    private readonly PickerSettings _settings;
    private readonly Random _random;
    private readonly int[] _availability;
    private readonly Dictionary<int, PieceProgress> _inProgress = [];

    public PiecePicker(int pieceCount, Func<int, int> pieceSize, int blockLength, PickerSettings settings, PieceSet have, bool sequential = false, Random? random = null)
    {
        _pieceCount = pieceCount;
        _pieceSize = pieceSize;
        _blockLength = blockLength;
        _settings = settings;
        _random = random ?? Random.Shared;
        _availability = new int[pieceCount];
        Have = have;
        Sequential = sequential;
    }

    public PieceSet Have { get; }

    public bool Sequential { get; set; }

    public int InProgressCount => _inProgress.Count;

    /// <summary>True once every missing piece is started and no block is left unrequested.</summary>
    public bool InEndgame
    {
        get
        {
            if (_inProgress.Count != _pieceCount - Have.Count)
            {
                return false;
            }

            foreach (var p in _inProgress.Values)
            {
                if (p.HasFreeBlock)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public int Availability(int piece) => _availability[piece];

    public void PeerHas(int piece) => _availability[piece]++;

    public void PeerHasAll(PieceSet pieces)
    {
        foreach (var i in pieces.Indices())
        {
            _availability[i]++;
        }
    }

    public void PeerGone(PieceSet pieces)
    {
        foreach (var i in pieces.Indices())
        {
            _availability[i]--;
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
        foreach (var (index, progress) in _inProgress)
        {
            if (progress.Owner == peer && peerHas[index])
            {
                progress.TakeFree(peer, count - picked.Count, picked);
                if (picked.Count == count)
                {
                    return picked;
                }
            }
        }

        while (picked.Count < count)
        {
            var next = ChooseNewPiece(peerHas);
            if (next < 0)
            {
                break;
            }

            var progress = new PieceProgress(next, _pieceSize(next), _blockLength, peer);
            _inProgress[next] = progress;
            progress.TakeFree(peer, count - picked.Count, picked);
        }

        // Nothing new left for this peer: help with pieces others opened.
        foreach (var (index, progress) in _inProgress.OrderBy(kv => kv.Key))
        {
            if (picked.Count == count)
            {
                return picked;
            }

            if (progress.Owner != peer && peerHas[index])
            {
                progress.TakeFree(peer, count - picked.Count, picked);
            }
        }

        if (picked.Count < count && InEndgame)
        {
            foreach (var (index, progress) in _inProgress.OrderBy(_ => _random.Next()))
            {
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

        pieceComplete = progress.AllReceived;
        return others;
    }

    public void Release(int peer, int piece, int begin)
    {
        if (_inProgress.TryGetValue(piece, out var progress))
        {
            progress.Release(peer, begin);
        }
    }

    public void ReleaseAll(int peer)
    {
        foreach (var progress in _inProgress.Values)
        {
            progress.ReleaseAll(peer);
        }
    }

    public void PieceVerified(int piece)
    {
        _inProgress.Remove(piece);
        Have.Add(piece);
    }

    /// <summary>The piece failed its hash check: every block is wanted again.</summary>
    public void PieceFailed(int piece) => _inProgress.Remove(piece);

    private int ChooseNewPiece(PieceSet peerHas)
    {
        if (Sequential)
        {
            for (var i = 0; i < _pieceCount; i++)
            {
                if (IsCandidate(i, peerHas))
                {
                    return i;
                }
            }

            return -1;
        }

        if (Have.Count < _settings.RandomFirstPieces)
        {
            var start = _random.Next(_pieceCount);
            for (var k = 0; k < _pieceCount; k++)
            {
                var i = (start + k) % _pieceCount;
                if (IsCandidate(i, peerHas))
                {
                    return i;
                }
            }

            return -1;
        }

        // Rarest first; ties broken at random so that peers spread over the rare pieces.
        int best = -1, bestAvailability = int.MaxValue, ties = 0;
        for (var i = 0; i < _pieceCount; i++)
        {
            if (!IsCandidate(i, peerHas))
            {
                continue;
            }

            var a = _availability[i];
            if (a < bestAvailability)
            {
                best = i;
                bestAvailability = a;
                ties = 1;
            }
            else if (a == bestAvailability && _random.Next(++ties) == 0)
            {
                best = i;
            }
        }

        return best;
    }

    private bool IsCandidate(int piece, PieceSet peerHas) => peerHas[piece] && !Have[piece] && !_inProgress.ContainsKey(piece);

    private sealed class PieceProgress
    {
        private readonly int _piece;
        private readonly int _blockLength;
        private readonly int[] _lengths;
        private readonly bool[] _received;
        private readonly List<int>[] _requesters;
        private int _receivedCount;

        public PieceProgress(int piece, int size, int blockLength, int owner)
        {
            _piece = piece;
            Owner = owner;
            _blockLength = blockLength;
            var blocks = (size + blockLength - 1) / blockLength;
            _lengths = new int[blocks];
            for (var b = 0; b < blocks; b++)
            {
                _lengths[b] = Math.Min(blockLength, size - (b * blockLength));
            }

            _received = new bool[blocks];
            _requesters = new List<int>[blocks];
            for (var b = 0; b < blocks; b++)
            {
                _requesters[b] = [];
            }
        }

        /// <summary>The peer that opened the piece; it keeps priority on its blocks.</summary>
        public int Owner { get; }

        public bool AllReceived => _receivedCount == _received.Length;

        public bool HasFreeBlock
        {
            get
            {
                for (var b = 0; b < _received.Length; b++)
                {
                    if (!_received[b] && _requesters[b].Count == 0)
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        public void TakeFree(int peer, int max, List<BlockRef> into)
        {
            for (var b = 0; b < _received.Length && max > 0; b++)
            {
                if (!_received[b] && _requesters[b].Count == 0)
                {
                    _requesters[b].Add(peer);
                    into.Add(new BlockRef(_piece, b * _blockLength, _lengths[b]));
                    max--;
                }
            }
        }

        public void TakeDuplicate(int peer, int maxRequesters, int max, List<BlockRef> into)
        {
            for (var b = 0; b < _received.Length && max > 0; b++)
            {
                if (!_received[b] && _requesters[b].Count < maxRequesters && !_requesters[b].Contains(peer))
                {
                    _requesters[b].Add(peer);
                    into.Add(new BlockRef(_piece, b * _blockLength, _lengths[b]));
                    max--;
                }
            }
        }

        public IReadOnlyList<int>? Receive(int begin, int length, int peer)
        {
            if (begin < 0 || begin % _blockLength != 0)
            {
                return null;
            }

            var b = begin / _blockLength;
            if (b >= _received.Length || _received[b] || _lengths[b] != length)
            {
                return null;
            }

            _received[b] = true;
            _receivedCount++;
            var others = _requesters[b].Where(r => r != peer).ToList();
            _requesters[b].Clear();
            return others;
        }

        public void Release(int peer, int begin)
        {
            var b = begin / _blockLength;
            if (b < _requesters.Length)
            {
                _requesters[b].Remove(peer);
            }
        }

        public void ReleaseAll(int peer)
        {
            foreach (var r in _requesters)
            {
                r.Remove(peer);
            }
        }
    }
}
