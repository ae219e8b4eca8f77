namespace Swarm.Actors.Pieces;

/// <summary>A set of piece indices (ours or a peer's). Mutable: owned by exactly one actor.</summary>
public sealed class PieceSet
{
    private readonly bool[] _bits;

    public PieceSet(int pieceCount)
    {
        _bits = new bool[pieceCount];
    }

    public int Length => _bits.Length;

    public int Count { get; private set; }

    public bool IsComplete => Count == _bits.Length;

    public bool this[int piece] => _bits[piece];

    public bool Add(int piece)
    {
        if (_bits[piece])
        {
            return false;
        }

        _bits[piece] = true;
        Count++;
        return true;
    }

    public bool Remove(int piece)
    {
        if (!_bits[piece])
        {
            return false;
        }

        _bits[piece] = false;
        Count--;
        return true;
    }

    public void SetAll()
    {
        Array.Fill(_bits, true);
        Count = _bits.Length;
    }

    public IEnumerable<int> Indices()
    {
        for (var i = 0; i < _bits.Length; i++)
        {
            if (_bits[i])
            {
                yield return i;
            }
        }
    }

    /// <summary>BEP 3 bitfield: the high bit of the first byte is piece 0.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[(_bits.Length + 7) / 8];
        for (var i = 0; i < _bits.Length; i++)
        {
            if (_bits[i])
            {
                bytes[i >> 3] |= (byte)(0x80 >> (i & 7));
            }
        }

        return bytes;
    }

    public static PieceSet FromBytes(ReadOnlySpan<byte> bytes, int pieceCount)
    {
        var set = new PieceSet(pieceCount);
        for (var i = 0; i < pieceCount; i++)
        {
            if ((bytes[i >> 3] & (0x80 >> (i & 7))) != 0)
            {
                set.Add(i);
            }
        }

        return set;
    }

    public static PieceSet Full(int pieceCount)
    {
        var set = new PieceSet(pieceCount);
        set.SetAll();
        return set;
    }

    public PieceSet Clone()
    {
        var copy = new PieceSet(_bits.Length);
        foreach (var i in Indices())
        {
            copy.Add(i);
        }

        return copy;
    }
}
