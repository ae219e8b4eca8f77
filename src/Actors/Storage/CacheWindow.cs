using System.Collections.Immutable;

namespace Swarm.Actors.Storage;

/// <summary>Drop-behind for written pieces: which flushed pieces to let go of from the page cache. Their data is on
/// disk (the fsync came first), so dropping loses nothing; keeping only the last <see cref="Limit"/> bytes lets the
/// kernel hand the same, recently touched pages to the next writes instead of fresh ones. On a VM whose host reclaims
/// idle guest memory, touching a fresh page costs a hypervisor fault: that, not the copy, made a 1 GiB download spend
/// ~1.5-2.5 s of system CPU in the page-cache copy (0.15-0.4 s with the pages recycled).</summary>
public sealed class CacheWindow
{
    /// <summary>Issue 14 (piece count): the kept pieces as runs that follow each other in flush order, not an entry per
    /// piece: a 1 GiB torrent of 4 KiB pieces queued 262,144 entries, two immutable nodes each (≈ 40 MB of garbage on the
    /// leecher, an eighth of all it allocated).</summary>
    private readonly ImmutableQueue<Run> _kept;

    private CacheWindow(long limit, ImmutableQueue<Run> kept, long keptBytes)
    {
        Limit = limit;
        _kept = kept;
        KeptBytes = keptBytes;
    }

    /// <summary>Flushed bytes left in the page cache; negative: everything is left (drop-behind off).</summary>
    public long Limit { get; }

    /// <summary>Bytes of the flushed pieces still counted as cached.</summary>
    public long KeptBytes { get; }

    /// <summary>Entries the window keeps: one per run of consecutive pieces flushed together.</summary>
    public int KeptRuns => _kept.Count();

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
        var run = default(Run);
        foreach (var piece in pieces)
        {
            var size = sizeOf(piece);
            if (run.Count > 0 && piece == run.First + run.Count)
            {
                run = run with { Count = run.Count + 1, Bytes = run.Bytes + size };
            }
            else
            {
                kept = run.Count > 0 ? kept.Enqueue(run) : kept;
                run = new Run(piece, 1, size);
            }

            bytes += size;
        }

        kept = run.Count > 0 ? kept.Enqueue(run) : kept;
        var drop = new List<int>();
        while (bytes > Limit && !kept.IsEmpty)
        {
            // The oldest run leaves whole when the pieces before its last would not bring the bytes to the limit;
            // otherwise piece by piece from its front, as far as the limit asks.
            var oldest = kept.Peek();
            var last = oldest.First + oldest.Count - 1;
            if (bytes - oldest.Bytes + sizeOf(last) > Limit)
            {
                kept = kept.Dequeue();
                bytes -= oldest.Bytes;
                for (var piece = oldest.First; piece <= last; piece++)
                {
                    drop.Add(piece);
                }

                continue;
            }

            var rest = oldest;
            while (bytes > Limit)
            {
                var size = sizeOf(rest.First);
                drop.Add(rest.First);
                bytes -= size;
                rest = new Run(rest.First + 1, rest.Count - 1, rest.Bytes - size);
            }

            kept = kept.Dequeue();
            kept = rest.Count > 0 ? ImmutableQueue.Create([rest, .. kept]) : kept;
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

    /// <summary>Pieces <see cref="First"/> to First + Count - 1, flushed one after another, of <see cref="Bytes"/>.</summary>
    private readonly record struct Run(int First, int Count, long Bytes);
}
