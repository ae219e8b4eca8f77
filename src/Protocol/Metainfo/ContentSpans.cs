namespace Swarm.Protocol.Metainfo;

/// <summary>Part of a byte range of a torrent's content that falls in one file.</summary>
/// <param name="File">Index of the file.</param>
/// <param name="FileOffset">Where the part starts inside that file.</param>
/// <param name="RangeOffset">Where the part starts inside the requested range.</param>
public readonly record struct ContentSpan(int File, long FileOffset, int RangeOffset, int Length);

/// <summary>Splits a byte range of a torrent's concatenated content into per-file parts: the one mapping used to
/// hash files when creating a torrent and to read and write pieces on disk.</summary>
public static class ContentSpans
{
    /// <param name="starts">Offset of each file in the content (ascending).</param>
    /// <param name="lengths">Length of each file; zero-length files never yield a part.</param>
    public static IEnumerable<ContentSpan> Map(IReadOnlyList<long> starts, IReadOnlyList<long> lengths, long offset, int length)
    {
        var i = FirstFileAt(starts, offset);
        var done = 0;
        while (done < length)
        {
            while (i < starts.Count && (lengths[i] == 0 || offset >= starts[i] + lengths[i]))
            {
                i++;
            }

            if (i >= starts.Count)
            {
                throw new EndOfStreamException("the range runs past the end of the torrent's content");
            }

            var within = offset - starts[i];
            var n = (int)Math.Min(length - done, lengths[i] - within);
            yield return new ContentSpan(i, within, done, n);
            done += n;
            offset += n;
        }
    }

    private static int FirstFileAt(IReadOnlyList<long> starts, long offset)
    {
        int lo = 0, hi = starts.Count - 1, found = 0;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (starts[mid] <= offset)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        // Zero-length files share their start with the next file: step back to the first of them.
        while (found > 0 && starts[found - 1] == starts[found])
        {
            found--;
        }

        return found;
    }
}
