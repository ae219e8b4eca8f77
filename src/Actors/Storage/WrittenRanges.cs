using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Swarm.Actors.Pieces;
using Swarm.Protocol.Metainfo;
using static Swarm.Actors.Storage.StorageMessages;

namespace Swarm.Actors.Storage;

/// <summary>Finds the pieces written to disk that the journal never heard of (a kill -9 between the write and its
/// batch being journaled) and hashes them, so a restart fetches again only what was in flight. Files are created
/// sparse and pieces are written whole, so the file system's own map of where data lies (SEEK_DATA/SEEK_HOLE)
/// points at the candidates: the work is proportional to the data written, not to the torrent's size, and a hash
/// decides every one of them, so nothing unverified is trusted.</summary>
public static class WrittenRanges
{
    private const int SeekData = 3;
    private const int SeekHole = 4;

    /// <summary>Linux: no data at or after the offset.</summary>
    private const int ENXIO = 6;

    /// <summary>The data extents of <paramref name="file"/> below <paramref name="length"/>, in order, as [Start, End).
    /// Where the file system cannot tell (not Linux, or SEEK_DATA refused) every byte counts as data: more to hash,
    /// never a written piece missed.</summary>
    public static IReadOnlyList<(long Start, long End)> DataExtents(SafeFileHandle file, long length)
    {
        if (length <= 0)
        {
            return [];
        }

        if (!OperatingSystem.IsLinux())
        {
            return [(0, length)];
        }

        var extents = new List<(long Start, long End)>();
        for (var at = 0L; at < length;)
        {
            var data = Lseek(file, at, SeekData);
            if (data < 0)
            {
                // ENXIO: nothing but holes from here on. Anything else: the file system cannot say; assume data.
                return Marshal.GetLastPInvokeError() == ENXIO ? extents : [.. extents, (at, length)];
            }

            if (data >= length)
            {
                break;
            }

            var hole = Lseek(file, data, SeekHole);
            var end = hole < 0 ? length : Math.Min(hole, length);
            extents.Add((data, end));
            at = end;
        }

        return extents;
    }

    /// <summary>Pieces outside <paramref name="skip"/> that some data of the torrent's files lies in. Padding files
    /// are never on disk; a missing or unreadable file holds nothing (its pieces are fetched again, and writing them
    /// reports the disk's error then, as it would have without this probe).</summary>
    /// <param name="pathOf">Where each file of <paramref name="meta"/> lives.</param>
    public static PieceSet PiecesWithData(TorrentMetainfo meta, Func<int, string> pathOf, PieceSet skip)
    {
        var found = new PieceSet(meta.PieceCount);
        for (var i = 0; i < meta.Files.Count; i++)
        {
            var f = meta.Files[i];
            if (f.IsPadding || f.Length == 0 || !File.Exists(pathOf(i)))
            {
                continue;
            }

            IReadOnlyList<(long Start, long End)> extents;
            try
            {
                using var handle = File.OpenHandle(pathOf(i), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                extents = DataExtents(handle, Math.Min(f.Length, RandomAccess.GetLength(handle)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var (start, end) in extents)
            {
                AddPieces(found, meta.PieceLength, f.Offset + start, f.Offset + end, skip);
            }
        }

        return found;
    }

    /// <summary>Adds to <paramref name="into"/> the pieces the torrent bytes [<paramref name="start"/>,
    /// <paramref name="end"/>) fall in, except those in <paramref name="skip"/>.</summary>
    public static void AddPieces(PieceSet into, long pieceLength, long start, long end, PieceSet skip)
    {
        if (end <= start)
        {
            return;
        }

        var last = (int)Math.Min((end - 1) / pieceLength, into.Length - 1);
        for (var piece = (int)(start / pieceLength); piece <= last; piece++)
        {
            if (!skip[piece])
            {
                into.Add(piece);
            }
        }
    }

    /// <summary>Hashes the pieces outside <paramref name="known"/> whose files hold data, on up to
    /// <paramref name="parallelism"/> cores.</summary>
    public static WrittenPiecesHashed HashWritten(TorrentStorage storage, PieceSet known, int parallelism)
    {
        var watch = Stopwatch.StartNew();
        var meta = storage.Metainfo;
        // A complete torrent (every seed at every start) has nothing to look for: no file is opened.
        var candidates = known.IsComplete ? [] : PiecesWithData(meta, storage.PathOf, known).Indices().ToArray();
        var ok = new bool[candidates.Length];
        Parallel.For(
            0,
            candidates.Length,
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            () => new byte[meta.PieceLength],
            (n, _, buffer) =>
            {
                ok[n] = storage.Verify(candidates[n], buffer);
                return buffer;
            },
            _ => { });
        var verified = new PieceSet(meta.PieceCount);
        foreach (var piece in candidates.Where((_, n) => ok[n]))
        {
            verified.Add(piece);
        }

        return new WrittenPiecesHashed(verified, candidates.Length, watch.Elapsed);
    }

    // A plain P/Invoke: LibraryImport would need unsafe code, which the build forbids. The handle marshals as the
    // file descriptor.
    [DllImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static extern long Lseek(SafeFileHandle fd, long offset, int whence);
}
