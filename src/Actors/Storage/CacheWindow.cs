using System.Collections.Immutable;

namespace Swarm.Actors.Storage;

/// <summary>Drop-behind for written pieces: which flushed pieces to let go of from the page cache. Their data is on
/// disk (the fsync came first), so dropping loses nothing; keeping only the last <see cref="Limit"/> bytes lets the
/// kernel hand the same, recently touched pages to the next writes instead of fresh ones. On a VM whose host reclaims
/// idle guest memory, touching a fresh page costs a hypervisor fault: that, not the copy, made a 1 GiB download spend
/// ~1.5-2.5 s of system CPU in the page-cache copy (0.15-0.4 s with the pages recycled).</summary>
public sealed class CacheWindow
{
    private readonly ImmutableQueue<(int Piece, long Bytes)> _kept;

    private CacheWindow(long limit, ImmutableQueue<(int Piece, long Bytes)> kept, long keptBytes)
    {
        Limit = limit;
        _kept = kept;
        KeptBytes = keptBytes;
    }

    /// <summary>Flushed bytes left in the page cache; negative: everything is left (drop-behind off).</summary>
    public long Limit { get; }

    /// <summary>Bytes of the flushed pieces still counted as cached.</summary>
    public long KeptBytes { get; }

    public static CacheWindow Create(long limit) => new(limit, [], 0);

    /// <summary>Notes <paramref name="pieces"/> as flushed (newest last) and returns the oldest flushed pieces past
    /// <see cref="Limit"/>, to be dropped from the cache.</summary>
    public (CacheWindow Window, IReadOnlyList<int> Drop) Flushed(IEnumerable<int> pieces, Func<int, long> sizeOf)
    {
        if (Limit < 0)
        {
            return (this, []);
        }

        var kept = _kept;
        var bytes = KeptBytes;
        foreach (var piece in pieces)
        {
            var size = sizeOf(piece);
            kept = kept.Enqueue((piece, size));
            bytes += size;
        }

        var drop = new List<int>();
        while (bytes > Limit && !kept.IsEmpty)
        {
            kept = kept.Dequeue(out var oldest);
            bytes -= oldest.Bytes;
            drop.Add(oldest.Piece);
        }

        return (new CacheWindow(Limit, kept, bytes), drop);
    }

    /// <summary>Pieces as runs of consecutive indices (first, count), ascending: one cache call per run, not per piece.</summary>
    public static IReadOnlyList<(int First, int Count)> Runs(IEnumerable<int> pieces)
    {
        var runs = new List<(int First, int Count)>();
        foreach (var piece in pieces.Distinct().Order())
        {
            if (runs.Count > 0 && runs[^1].First + runs[^1].Count == piece)
            {
                runs[^1] = (runs[^1].First, runs[^1].Count + 1);
            }
            else
            {
                runs.Add((piece, 1));
            }
        }

        return runs;
    }
}
