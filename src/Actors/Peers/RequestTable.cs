using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Swarm.Actors.Pieces;

namespace Swarm.Actors.Peers;

/// <summary>The requests in flight to one peer, by (piece, offset): an immutable table sorted by key, changed a batch at
/// a time. Issue 14: an <c>ImmutableDictionary</c> over these value-type keys was code the runtime compiles at run time
/// (its generic instantiations cannot be precompiled into our image) and re-compiles optimised mid-transfer, about a
/// hundred methods, and it rebuilt a tree path per block; this is one non-generic type of ours. Removing answered
/// requests (every inbound batch) marks their positions in a bit mask over arrays the versions share, instead of copying
/// the table: a copy of up to a pipeline's depth (max-depth, 500) of entries per batch was ~65 MB of garbage per GiB
/// received. Setting entries (once per assignment, a quarter of the window) builds new arrays of the live entries.</summary>
public sealed class RequestTable : IReadOnlyDictionary<(int Piece, int Begin), RequestPipeline.InFlight>
{
    private readonly long[] _keys; // ascending, at every position, live or removed
    private readonly RequestPipeline.InFlight[] _values;
    private readonly ulong[]? _removed; // a bit per removed position; null when none is

    private RequestTable(long[] keys, RequestPipeline.InFlight[] values, ulong[]? removed, int count)
    {
        _keys = keys;
        _values = values;
        _removed = removed;
        Count = count;
    }

    public static RequestTable Empty { get; } = new([], [], null, 0);

    public int Count { get; }

    /// <summary>Positions of the table, live or removed: the length of the mask <see cref="Without"/> takes.</summary>
    public int Positions => _keys.Length;

    public bool IsEmpty => Count == 0;

    public IEnumerable<(int Piece, int Begin)> Keys => LivePositions().Select(i => KeyOf(_keys[i]));

    public IEnumerable<RequestPipeline.InFlight> Values => LivePositions().Select(i => _values[i]);

    public RequestPipeline.InFlight this[(int Piece, int Begin) key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no request for piece {key.Piece} at {key.Begin}");

    public bool ContainsKey((int Piece, int Begin) key) => IndexOf(key) >= 0;

    public bool TryGetValue((int Piece, int Begin) key, [MaybeNullWhen(false)] out RequestPipeline.InFlight value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _values[i] : default;
        return i >= 0;
    }

    /// <summary>The position of <paramref name="key"/>'s entry (for <see cref="ValueAt"/> and <see cref="Without"/>), or a
    /// negative number when it has none.</summary>
    public int IndexOf((int Piece, int Begin) key)
    {
        var i = Find(KeyFor(key));
        return i >= 0 && !IsRemoved(i) ? i : -1;
    }

    public RequestPipeline.InFlight ValueAt(int index) => _values[index];

    /// <summary>The table without the entries whose position is marked in <paramref name="removed"/> (as long as
    /// <see cref="Positions"/>); this table when none is. The arrays are shared: only the mask is new, unless most of
    /// the positions would then be removed ones, when the live entries are copied out.</summary>
    public RequestTable Without(bool[] removed)
    {
        var gone = 0;
        for (var i = 0; i < removed.Length; i++)
        {
            gone += removed[i] && !IsRemoved(i) ? 1 : 0;
        }

        if (gone == 0)
        {
            return this;
        }

        var count = Count - gone;
        if (count <= _keys.Length / 2)
        {
            // Compacted: lookups stay on mostly live positions, and removed entries are not kept alive for long.
            var keys = new long[count];
            var values = new RequestPipeline.InFlight[count];
            var at = 0;
            for (var i = 0; i < _keys.Length; i++)
            {
                if (!removed[i] && !IsRemoved(i))
                {
                    keys[at] = _keys[i];
                    values[at++] = _values[i];
                }
            }

            return count == 0 ? Empty : new RequestTable(keys, values, null, count);
        }

        var mask = _removed is null ? new ulong[(_keys.Length + 63) / 64] : (ulong[])_removed.Clone();
        for (var i = 0; i < removed.Length; i++)
        {
            if (removed[i])
            {
                mask[i >> 6] |= 1UL << (i & 63);
            }
        }

        return new RequestTable(_keys, _values, mask, count);
    }

    /// <summary>The table without these keys (those not in it are ignored).</summary>
    public RequestTable Remove(IEnumerable<(int Piece, int Begin)> keys)
    {
        bool[]? removed = null;
        foreach (var key in keys)
        {
            var i = IndexOf(key);
            if (i >= 0)
            {
                (removed ??= new bool[_keys.Length])[i] = true;
            }
        }

        return removed is null ? this : Without(removed);
    }

    public RequestTable Remove((int Piece, int Begin) key) => Remove([key]);

    /// <summary>The table with these entries set (added, or replacing the entry of the same key; of two entries with
    /// the same key in <paramref name="entries"/>, the last).</summary>
    public RequestTable SetItems(IReadOnlyList<((int Piece, int Begin) Key, RequestPipeline.InFlight Value)> entries)
    {
        var keys = new long[entries.Count];
        var values = new RequestPipeline.InFlight[entries.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = KeyFor(entries[i].Key);
            values[i] = entries[i].Value;
        }

        return Merge(keys, values);
    }

    /// <summary>The table with a request in flight since <paramref name="sentAt"/> for each of these blocks, set as
    /// the other overload sets entries: one assignment's blocks without a list of entries built first.</summary>
    public RequestTable SetItems(IReadOnlyList<BlockRef> blocks, DateTimeOffset sentAt)
    {
        var keys = new long[blocks.Count];
        var values = new RequestPipeline.InFlight[blocks.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = KeyFor((blocks[i].Piece, blocks[i].Begin));
            values[i] = new RequestPipeline.InFlight(blocks[i].Length, sentAt);
        }

        return Merge(keys, values);
    }

    /// <summary>This table's live entries merged with the added ones: <paramref name="added"/> their keys in the order
    /// given, <paramref name="addedValues"/> their values.</summary>
    private RequestTable Merge(long[] added, RequestPipeline.InFlight[] addedValues)
    {
        if (added.Length == 0)
        {
            return this;
        }

        // By key and, for equal keys, by position, so that the last of equal keys wins below: order[j] is the position
        // of the j-th key in that order.
        var order = SortedPositions(added);
        var keys = new long[Count + order.Length];
        var values = new RequestPipeline.InFlight[keys.Length];
        int n = 0, old = NextLive(0), j = 0;
        while (old < _keys.Length || j < order.Length)
        {
            if (j < order.Length && (old == _keys.Length || added[order[j]] <= _keys[old]))
            {
                var key = added[order[j]];
                if (old < _keys.Length && _keys[old] == key)
                {
                    old = NextLive(old + 1); // replaced
                }

                if (n > 0 && keys[n - 1] == key)
                {
                    n--; // an earlier entry of the same key in this batch: the later one wins
                }

                keys[n] = key;
                values[n++] = addedValues[order[j++]];
            }
            else
            {
                keys[n] = _keys[old];
                values[n++] = _values[old];
                old = NextLive(old + 1);
            }
        }

        return n == keys.Length ? new RequestTable(keys, values, null, n) : new RequestTable(keys[..n], values[..n], null, n);
    }

    public RequestTable SetItem((int Piece, int Begin) key, RequestPipeline.InFlight value) => SetItems([(key, value)]);

    public IEnumerator<KeyValuePair<(int Piece, int Begin), RequestPipeline.InFlight>> GetEnumerator()
    {
        foreach (var i in LivePositions())
        {
            yield return new(KeyOf(_keys[i]), _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The positions of <paramref name="keys"/> by ascending key, equal keys in their positions' order: a
    /// merge sort of ours. Issue 14: <c>Array.Sort(long[], int[])</c> and <c>Array.BinarySearch(long[])</c> are generic
    /// code instantiated at run time (not in any precompiled image), compiled and then re-compiled optimised while a
    /// transfer runs; a comparison closure per call was an allocation per assignment. An assignment's blocks come in
    /// piece and offset order, so the common case is one pass that finds them sorted.</summary>
    private static int[] SortedPositions(long[] keys)
    {
        var order = new int[keys.Length];
        var sorted = true;
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            sorted &= i == 0 || keys[i - 1] <= keys[i];
        }

        if (sorted)
        {
            return order;
        }

        var spare = new int[order.Length];
        for (var width = 1; width < order.Length; width *= 2)
        {
            for (var lo = 0; lo < order.Length; lo += 2 * width)
            {
                int mid = Math.Min(lo + width, order.Length), hi = Math.Min(lo + (2 * width), order.Length);
                int a = lo, b = mid, at = lo;
                while (a < mid || b < hi)
                {
                    // <= keeps the left run's (earlier) position first among equal keys: stable.
                    spare[at++] = b == hi || (a < mid && keys[order[a]] <= keys[order[b]]) ? order[a++] : order[b++];
                }
            }

            (order, spare) = (spare, order);
        }

        return order;
    }

    /// <summary>The position of <paramref name="key"/> in <see cref="_keys"/>, or a negative number.</summary>
    private int Find(long key)
    {
        int lo = 0, hi = _keys.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var at = _keys[mid];
            if (at == key)
            {
                return mid;
            }

            if (at < key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    private bool IsRemoved(int i) => _removed is not null && (_removed[i >> 6] & (1UL << (i & 63))) != 0;

    /// <summary>The first live position from <paramref name="i"/> on (<see cref="Positions"/> when there is none).</summary>
    private int NextLive(int i)
    {
        while (i < _keys.Length && IsRemoved(i))
        {
            i++;
        }

        return i;
    }

    private IEnumerable<int> LivePositions()
    {
        for (var i = NextLive(0); i < _keys.Length; i = NextLive(i + 1))
        {
            yield return i;
        }
    }

    // Piece indices and offsets are never negative (the reader refuses them), so the packed keys sort as the pairs do.
    private static long KeyFor((int Piece, int Begin) key) => ((long)key.Piece << 32) | (uint)key.Begin;

    private static (int Piece, int Begin) KeyOf(long key) => ((int)(key >> 32), (int)(uint)key);
}
