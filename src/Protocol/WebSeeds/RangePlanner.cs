using Swarm.Protocol.Metainfo;

namespace Swarm.Protocol.WebSeeds;

/// <summary>A contiguous stretch of the torrent's concatenated content (across files).</summary>
public readonly record struct ContentRun(long Offset, int Length)
{
    public long End => Offset + Length;
}

/// <summary>One part of a run: <paramref name="Length"/> bytes of file <paramref name="File"/> (an index into the
/// torrent's files) from <paramref name="FileOffset"/>, landing at <paramref name="RunOffset"/> in the run's buffer.
/// A <paramref name="IsPadding"/> part is BEP 47 padding: zeros we write ourselves, never asked of the server.</summary>
public readonly record struct FileRange(int File, long FileOffset, int Length, int RunOffset, bool IsPadding)
{
    /// <summary>The value of the HTTP Range header asking for exactly this part.</summary>
    public string RangeHeader => $"bytes={FileOffset}-{FileOffset + Length - 1}";
}

/// <summary>Turns pieces, or blocks of pieces, into the HTTP range requests a web seed answers: contiguous blocks
/// are merged into runs (up to a maximum length, so a response is bounded), and each run is cut at file boundaries
/// into one range per file, padding files left out. Pure: the actor does the HTTP.</summary>
public static class RangePlanner
{
    /// <summary>The runs covering <paramref name="stretches"/> (offset and length in the torrent's content), merged
    /// when one starts where the previous ends and the merged run stays within <paramref name="maxRunLength"/>.</summary>
    public static IReadOnlyList<ContentRun> Runs(IEnumerable<(long Offset, int Length)> stretches, int maxRunLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRunLength, 1);
        var runs = new List<ContentRun>();
        foreach (var (offset, length) in stretches.Where(s => s.Length > 0).OrderBy(s => s.Offset))
        {
            if (runs.Count > 0 && runs[^1].End == offset && (long)runs[^1].Length + length <= maxRunLength)
            {
                runs[^1] = runs[^1] with { Length = runs[^1].Length + length };
            }
            else
            {
                runs.Add(new ContentRun(offset, length));
            }
        }

        return runs;
    }

    /// <summary>The content of piece <paramref name="piece"/>, as one run.</summary>
    public static ContentRun Piece(TorrentMetainfo meta, int piece) => new((long)piece * meta.PieceLength, meta.PieceSize(piece));

    /// <summary>The file parts a run is made of, in order; their lengths add up to the run's.</summary>
    public static IReadOnlyList<FileRange> Plan(IReadOnlyList<TorrentFile> files, ContentRun run)
    {
        var total = files.Count == 0 ? 0 : files[^1].Offset + files[^1].Length;
        if (run.Offset < 0 || run.Length <= 0 || run.End > total)
        {
            throw new ArgumentOutOfRangeException(nameof(run), $"run {run.Offset}+{run.Length} is outside the torrent's {total} bytes");
        }

        var parts = new List<FileRange>();
        var index = FirstFileAt(files, run.Offset);
        var position = run.Offset;
        while (position < run.End)
        {
            var f = files[index];
            var end = Math.Min(run.End, f.Offset + f.Length);
            if (end > position)
            {
                parts.Add(new FileRange(index, position - f.Offset, (int)(end - position), (int)(position - run.Offset), f.IsPadding));
                position = end;
            }

            index++;
        }

        return parts;
    }

    /// <summary>The first file holding the byte at <paramref name="offset"/> (empty files hold no byte).</summary>
    private static int FirstFileAt(IReadOnlyList<TorrentFile> files, long offset)
    {
        int lo = 0, hi = files.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (files[mid].Offset + files[mid].Length <= offset)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
