using System.Numerics;

namespace Swarm.Actors.Pieces;

/// <summary>A set of piece indices (ours or a peer's). Mutable: owned by exactly one actor. Issue 14 (piece count): one
/// bit per piece (a bool each made every copy 256 KiB at 262,144 pieces, and a torrent keeps several per connection:
/// ours, theirs, the torrent's record of theirs), copied word by word.</summary>
public sealed class PieceSet
{
    private readonly ulong[] _words;

    public PieceSet(int pieceCount)
    {
        Length = pieceCount;
        _words = new ulong[(pieceCount + 63) >> 6];
    }

    private PieceSet(PieceSet other)
    {
        Length = other.Length;
        Count = other.Count;
        _words = (ulong[])other._words.Clone();
    }

    public int Length { get; }

    public int Count { get; private set; }

    public bool IsComplete => Count == Length;

    public bool this[int piece]
    {
        get
        {
            CheckIndex(piece);
            return (_words[piece >> 6] & (1UL << piece)) != 0;
        }
    }

    public bool Add(int piece)
    {
        CheckIndex(piece);
        ref var word = ref _words[piece >> 6];
        var bit = 1UL << piece; // the shift takes the low six bits of piece
        if ((word & bit) != 0)
        {
            return false;
        }

        word |= bit;
        Count++;
        return true;
    }

    public bool Remove(int piece)
    {
        CheckIndex(piece);
        ref var word = ref _words[piece >> 6];
        var bit = 1UL << piece;
        if ((word & bit) == 0)
        {
            return false;
        }

        word &= ~bit;
        Count--;
        return true;
    }

    public void SetAll()
    {
        Array.Fill(_words, ulong.MaxValue);
        if ((Length & 63) != 0)
        {
            _words[^1] = (1UL << Length) - 1; // no bits past the last piece
        }

        Count = Length;
    }

    /// <summary>The pieces in the set, in ascending order.</summary>
    public IEnumerable<int> Indices()
    {
        for (var w = 0; w < _words.Length; w++)
        {
            var word = _words[w];
            while (word != 0)
            {
                yield return (w << 6) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
            }
        }
    }

    /// <summary>BEP 3 bitfield: the high bit of the first byte is piece 0.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[(Length + 7) / 8];
        foreach (var i in Indices())
        {
            bytes[i >> 3] |= (byte)(0x80 >> (i & 7));
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

    public PieceSet Clone() => new(this);

    /// <summary>The words hold up to 63 bits past the last piece: an index there is refused as any out of range.</summary>
    private void CheckIndex(int piece) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)piece, (uint)Length, nameof(piece));
}
