using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Swarm.Actors.Peers;

/// <summary>The requests in flight to one peer, by (piece, offset): an immutable table sorted by key, changed a batch at
/// a time. Issue 14: an <c>ImmutableDictionary</c> over these value-type keys was code the runtime compiles at run time
/// (its generic instantiations cannot be precompiled into our image) and re-compiles optimised mid-transfer, about a
/// hundred methods, and it rebuilt a tree path per block; this is one non-generic type of ours, and a batch costs one
/// copy of at most a pipeline's depth (max-depth, 500) of entries.</summary>
public sealed class RequestTable : IReadOnlyDictionary<(int Piece, int Begin), RequestPipeline.InFlight>
{
    private readonly long[] _keys; // ascending
    private readonly RequestPipeline.InFlight[] _values;

    private RequestTable(long[] keys, RequestPipeline.InFlight[] values)
    {
        _keys = keys;
        _values = values;
    }

    public static RequestTable Empty { get; } = new([], []);

    public int Count => _keys.Length;

    public bool IsEmpty => _keys.Length == 0;

    public IEnumerable<(int Piece, int Begin)> Keys => _keys.Select(KeyOf);

    public IEnumerable<RequestPipeline.InFlight> Values => _values;

    public RequestPipeline.InFlight this[(int Piece, int Begin) key] =>
        TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no request for piece {key.Piece} at {key.Begin}");

    public bool ContainsKey((int Piece, int Begin) key) => IndexOf(key) >= 0;

    public bool TryGetValue((int Piece, int Begin) key, [MaybeNullWhen(false)] out RequestPipeline.InFlight value)
    {
        var i = IndexOf(key);
        value = i >= 0 ? _values[i] : default;
        return i >= 0;
    }

    /// <summary>Where <paramref name="key"/> is (an index for <see cref="Without"/>), or a negative number.</summary>
    public int IndexOf((int Piece, int Begin) key) => Array.BinarySearch(_keys, KeyFor(key));

    public RequestPipeline.InFlight ValueAt(int index) => _values[index];

    /// <summary>The table without the entries whose index is marked in <paramref name="removed"/> (as long as
    /// <see cref="Count"/>); this table when none is.</summary>
    public RequestTable Without(bool[] removed)
    {
        var kept = 0;
        for (var i = 0; i < removed.Length; i++)
        {
            kept += removed[i] ? 0 : 1;
        }

        if (kept == _keys.Length)
        {
            return this;
        }

        var keys = new long[kept];
        var values = new RequestPipeline.InFlight[kept];
        var at = 0;
        for (var i = 0; i < _keys.Length; i++)
        {
            if (!removed[i])
            {
                keys[at] = _keys[i];
                values[at++] = _values[i];
            }
        }

        return new RequestTable(keys, values);
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
        if (entries.Count == 0)
        {
            return this;
        }

        // Sorted by key and, for equal keys, by position, so that the last of equal keys wins below.
        var order = new int[entries.Count];
        var added = new long[entries.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
            added[i] = KeyFor(entries[i].Key);
        }

        Array.Sort(order, (a, b) => added[a] != added[b] ? added[a].CompareTo(added[b]) : a.CompareTo(b));
        var keys = new long[_keys.Length + order.Length];
        var values = new RequestPipeline.InFlight[keys.Length];
        int n = 0, old = 0, j = 0;
        while (old < _keys.Length || j < order.Length)
        {
            if (j < order.Length && (old == _keys.Length || added[order[j]] <= _keys[old]))
            {
                var key = added[order[j]];
                if (old < _keys.Length && _keys[old] == key)
                {
                    old++; // replaced
                }

                if (n > 0 && keys[n - 1] == key)
                {
                    n--; // an earlier entry of the same key in this batch: the later one wins
                }

                keys[n] = key;
                values[n++] = entries[order[j++]].Value;
            }
            else
            {
                keys[n] = _keys[old];
                values[n++] = _values[old++];
            }
        }

        return new RequestTable(keys[..n], values[..n]);
    }

    public RequestTable SetItem((int Piece, int Begin) key, RequestPipeline.InFlight value) => SetItems([(key, value)]);

    public IEnumerator<KeyValuePair<(int Piece, int Begin), RequestPipeline.InFlight>> GetEnumerator()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            yield return new(KeyOf(_keys[i]), _values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    // Piece indices and offsets are never negative (the reader refuses them), so the packed keys sort as the pairs do.
    private static long KeyFor((int Piece, int Begin) key) => ((long)key.Piece << 32) | (uint)key.Begin;

    private static (int Piece, int Begin) KeyOf(long key) => ((int)(key >> 32), (int)(uint)key);
}
