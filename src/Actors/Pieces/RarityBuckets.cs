namespace Swarm.Actors.Pieces;

/// <summary>How many peers have each piece (its availability), and the pieces still to start grouped by that
/// availability, so that the rarest piece a peer has is found without looking at every piece of the torrent: adding,
/// removing and moving a piece between groups is O(1), and a search stops at the first usable piece of the rarest
/// group. Mutable: owned by the <see cref="PiecePicker"/> of one torrent actor.</summary>
public sealed class RarityBuckets
{
    private const int RandomProbes = 8;

    private readonly int[] _availability;
    private readonly int[] _slot; // the piece's position in its group, -1 when it is not a candidate
    private readonly List<List<int>> _groups = [];
    private readonly List<long> _arrivals = []; // per group: pieces that ever entered it

    public RarityBuckets(int pieceCount)
    {
        _availability = new int[pieceCount];
        _slot = new int[pieceCount];
        Array.Fill(_slot, -1);
    }

    /// <summary>Candidates: pieces still to start.</summary>
    public int Count { get; private set; }

    /// <summary>Pieces looked at by searches so far: the picking cost, for tests that it does not grow with the
    /// number of pieces.</summary>
    public long Examined { get; private set; }

    public int Availability(int piece) => _availability[piece];

    public bool Contains(int piece) => _slot[piece] >= 0;

    public void Add(int piece)
    {
        if (_slot[piece] < 0)
        {
            Enter(piece, _availability[piece]);
            Count++;
        }
    }

    public void Remove(int piece)
    {
        if (_slot[piece] >= 0)
        {
            Detach(piece);
            Count--;
        }
    }

    public void Increment(int piece) => SetAvailability(piece, _availability[piece] + 1);

    public void Decrement(int piece) => SetAvailability(piece, _availability[piece] - 1);

    /// <summary>A candidate <paramref name="usable"/> accepts from the rarest group holding one (ties at random),
    /// or -1. Pieces nobody announced (availability 0) are tried last: the asking peer has a piece, so that piece's
    /// availability is at least 1 whenever the peer's pieces are counted.</summary>
    /// <param name="seen">The asking peer's memory of groups it found nothing in: such a group is skipped until a
    /// piece enters it. A piece the peer gains raises that piece's availability, which moves it into another group,
    /// so nothing usable is skipped.</param>
    public int FindRarest(Func<int, bool> usable, Random random, ScanMemory? seen = null)
    {
        for (var level = 1; level <= _groups.Count; level++)
        {
            var group = level % _groups.Count; // 1, 2, …, then 0
            if (seen is not null && seen.NothingIn(group, _arrivals[group]))
            {
                continue;
            }

            if (FindIn(_groups[group], usable, random) is var found and >= 0)
            {
                return found;
            }

            seen?.Remember(group, _arrivals[group]);
        }

        return -1;
    }

    /// <summary>A candidate drawn at random (any availability) that <paramref name="usable"/> accepts, within
    /// <paramref name="tries"/> draws; -1 if none of the draws was usable.</summary>
    public int FindRandom(Func<int, bool> usable, Random random, int tries)
    {
        for (var t = 0; t < tries && Count > 0; t++)
        {
            var n = random.Next(Count);
            foreach (var group in _groups)
            {
                if (n < group.Count)
                {
                    Examined++;
                    if (usable(group[n]))
                    {
                        return group[n];
                    }

                    break;
                }

                n -= group.Count;
            }
        }

        return -1;
    }

    private int FindIn(List<int> group, Func<int, bool> usable, Random random)
    {
        if (group.Count == 0)
        {
            return -1;
        }

        // Random probes first: a group's order follows the order pieces entered it, so the pieces one peer can use
        // may sit in one long run, and a scan from a random start would walk the other runs first.
        for (var probe = 0; probe < RandomProbes; probe++)
        {
            var piece = group[random.Next(group.Count)];
            Examined++;
            if (usable(piece))
            {
                return piece;
            }
        }

        var start = random.Next(group.Count);
        for (var k = 0; k < group.Count; k++)
        {
            var piece = group[(start + k) % group.Count];
            Examined++;
            if (usable(piece))
            {
                return piece;
            }
        }

        return -1;
    }

    private void SetAvailability(int piece, int availability)
    {
        var member = _slot[piece] >= 0;
        if (member)
        {
            Detach(piece);
        }

        _availability[piece] = availability;
        if (member)
        {
            Enter(piece, availability);
        }
    }

    private void Enter(int piece, int availability)
    {
        var group = Group(availability);
        _slot[piece] = group.Count;
        group.Add(piece);
        _arrivals[Math.Max(0, availability)]++;
    }

    /// <summary>Takes the piece out of its group by moving the group's last piece into its place.</summary>
    private void Detach(int piece)
    {
        var group = Group(_availability[piece]);
        var slot = _slot[piece];
        var last = group[^1];
        group[slot] = last;
        _slot[last] = slot;
        group.RemoveAt(group.Count - 1);
        _slot[piece] = -1;
    }

    /// <summary>A negative availability (a bookkeeping slip elsewhere) is grouped with 0 rather than thrown on.</summary>
    private List<int> Group(int availability)
    {
        var level = Math.Max(0, availability);
        while (_groups.Count <= level)
        {
            _groups.Add([]);
            _arrivals.Add(0);
        }

        return _groups[level];
    }
}

/// <summary>One peer's memory for <see cref="RarityBuckets.FindRarest"/>: the groups it found nothing usable in, and
/// how many pieces had entered each then. It spares a peer with few pieces from searching the same groups on every
/// pick.</summary>
public sealed class ScanMemory
{
    private readonly List<long> _arrivalsWhenEmpty = [];

    public bool NothingIn(int group, long arrivals) => group < _arrivalsWhenEmpty.Count && _arrivalsWhenEmpty[group] == arrivals;

    public void Remember(int group, long arrivals)
    {
        while (_arrivalsWhenEmpty.Count <= group)
        {
            _arrivalsWhenEmpty.Add(-1);
        }

        _arrivalsWhenEmpty[group] = arrivals;
    }
}
