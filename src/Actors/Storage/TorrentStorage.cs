using System.Security.Cryptography;
using Swarm.Actors.Pieces;
using Swarm.Protocol;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Storage;

/// <summary>Maps a torrent's byte range onto its files below one root folder. Thread-safe: reads run on
/// socket writer tasks, writes on the storage actor. Every path is checked to stay inside the root, lexically here
/// and through symbolic links on disk (<see cref="SaveFolder"/>) before a file is opened, created or deleted.</summary>
public sealed partial class TorrentStorage
{
    private readonly TorrentMetainfo _meta;
    private readonly FileHandlePool _handles;
    private readonly SaveFolder _folder;
    private readonly Action<string> _ensureInside;
    private readonly string[] _paths;
    private readonly long[] _starts;
    private readonly long[] _lengths;

    /// <summary>Data files known to exist, so the write path looks at the disk once per file, not per block.</summary>
    private readonly bool[] _present;
    private readonly List<int> _createdFiles = [];
    private readonly List<string> _createdFolders = [];
    private readonly Lock _created = new();

    /// <summary>How much of a piece <see cref="Verify"/> reads at a time: large sequential reads, yet a few hashing
    /// threads hold little memory even for libtorrent's largest pieces (1 GiB).</summary>
    public const int HashChunk = 4 * 1024 * 1024;

    /// <param name="preallocate">Reserve each data file's blocks when it is created (<see cref="FileAllocation"/>);
    /// false: files are created sparse.</param>
    public TorrentStorage(TorrentMetainfo meta, string downloadDir, FileHandlePool handles, bool preallocate = false)
    {
        _meta = meta;
        Preallocate = preallocate;
        _handles = handles;
        DownloadDir = Path.GetFullPath(downloadDir);
        _folder = new SaveFolder(DownloadDir);
        _ensureInside = _folder.EnsureInside;
        var root = meta.IsMultiFile ? Path.Combine(DownloadDir, meta.Name) : DownloadDir;
        ContentPath = meta.IsMultiFile ? root : Path.Combine(DownloadDir, meta.Name);
        _paths = meta.Files.Select(f => SafePath(root, f.Path)).ToArray();
        _starts = meta.Files.Select(f => f.Offset).ToArray();
        _lengths = meta.Files.Select(f => f.Length).ToArray();
        _present = new bool[_paths.Length];
    }

    public string DownloadDir { get; }

    /// <summary>New data files get their blocks at creation, not at writeback.</summary>
    public bool Preallocate { get; }

    /// <summary>The torrent's file, or its folder for a multi-file torrent.</summary>
    public string ContentPath { get; }

    public TorrentMetainfo Metainfo => _meta;

    public string PathOf(int fileIndex) => _paths[fileIndex];

    /// <summary>Writes <paramref name="data"/> from the start of <paramref name="piece"/>: that piece, or the bytes of
    /// several consecutive pieces in a row (one write for a run of small pieces).</summary>
    public void Write(int piece, ReadOnlySpan<byte> data) => Transfer((long)piece * _meta.PieceLength, data.Length, data, default, write: true);

    /// <summary>Writes <paramref name="parts"/>, one after the other, from the start of <paramref name="piece"/>: the
    /// buffers of consecutive pieces in one system call per file (pwritev), where a write each made the kernel take
    /// small pages one write at a time (issue 14: a 4 KiB piece's write set up a 4 KiB page, a 256 KiB one large
    /// folios).</summary>
    public void Write(int piece, IReadOnlyList<ReadOnlyMemory<byte>> parts)
    {
        if (parts.Count == 1)
        {
            Write(piece, parts[0].Span);
            return;
        }

        var length = 0;
        foreach (var part in parts)
        {
            length = checked(length + part.Length);
        }

        foreach (var span in ContentSpans.Map(_starts, _lengths, (long)piece * _meta.PieceLength, length))
        {
            if (_meta.Files[span.File].IsPadding)
            {
                continue;
            }

            if (!_present[span.File])
            {
                CreateIfMissing(span.File);
            }

            using var lease = _handles.Acquire(_paths[span.File], write: true, _ensureInside);
            var within = span.RangeOffset == 0 && span.Length == length ? parts : Slice(parts, span.RangeOffset, span.Length);
            RandomAccess.Write(lease.Handle, within, span.FileOffset);
        }
    }

    /// <summary>Reads from <paramref name="begin"/> inside <paramref name="piece"/>; <paramref name="into"/> may run on
    /// into the following pieces (consecutive requested blocks read at once).</summary>
    public void Read(int piece, int begin, Span<byte> into) => Transfer(((long)piece * _meta.PieceLength) + begin, into.Length, default, into, write: false);

    /// <summary>Hashes one piece from disk, <paramref name="buffer"/> at a time: pieces may be up to 1 GiB, far more
    /// than a hashing thread should hold. Missing or short files count as a mismatch, not an error.</summary>
    public bool Verify(int piece, byte[] buffer)
    {
        var size = _meta.PieceSize(piece);
        using var hasher = PieceExpectation.For(_meta, piece).Start();
        try
        {
            for (var done = 0; done < size;)
            {
                var n = Math.Min(buffer.Length, size - done);
                Read(piece, done, buffer.AsSpan(0, n));
                hasher.Append(buffer.AsSpan(0, n));
                done += n;
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or EndOfStreamException)
        {
            return false;
        }

        return hasher.Matches();
    }

    /// <summary>Issue 14 (piece count): how many bytes of consecutive pieces smaller than this a check reads at once
    /// (<see cref="VerifyRun"/>): a torrent of 262,144 pieces of 4 KiB was checked with as many reads and hashing
    /// contexts; a run of 64 of them costs one read.</summary>
    public const int CheckRunBytes = 256 * 1024;

    /// <summary>Hashes pieces <paramref name="first"/> to first + <paramref name="count"/> - 1 into
    /// <paramref name="ok"/>, as <see cref="Verify"/> would one by one, but v1 pieces that fit
    /// <paramref name="buffer"/> several times are read as many at once as it holds and hashed with one call each.
    /// Where a run cannot be read whole (a file missing or short), its pieces are hashed one by one.</summary>
    public void VerifyRun(int first, int count, byte[] buffer, bool[] ok)
    {
        var perRead = _meta.V2 is null && _meta.PieceHashes.Length > 0 ? buffer.Length / _meta.PieceLength : 0;
        Span<byte> sha1 = stackalloc byte[SHA1.HashSizeInBytes];
        for (var piece = first; piece < first + count;)
        {
            var n = Math.Min(first + count - piece, perRead);
            if (n <= 1)
            {
                ok[piece] = Verify(piece, buffer);
                piece++;
                continue;
            }

            var last = piece + n - 1;
            var bytes = (int)(((long)last * _meta.PieceLength) + _meta.PieceSize(last) - ((long)piece * _meta.PieceLength));
            try
            {
                Read(piece, 0, buffer.AsSpan(0, bytes));
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or EndOfStreamException)
            {
                for (var one = piece; one <= last; one++)
                {
                    ok[one] = Verify(one, buffer);
                }

                piece += n;
                continue;
            }

            for (var one = piece; one <= last; one++)
            {
                SHA1.HashData(buffer.AsSpan((one - piece) * _meta.PieceLength, _meta.PieceSize(one)), sha1);
                ok[one] = sha1.SequenceEqual(_meta.PieceHash(one));
            }

            piece += n;
        }
    }

    /// <summary>Whether a file still exists with its full length: the cheap check that lets a journaled torrent
    /// skip re-hashing at start-up.</summary>
    public bool FileIntact(int fileIndex)
    {
        var f = _meta.Files[fileIndex];
        return f.IsPadding || f.IsSymlink
            || (File.Exists(_paths[fileIndex]) && new FileInfo(_paths[fileIndex]).Length == f.Length && _folder.IsInside(_paths[fileIndex]));
    }

    /// <summary>The pieces holding any byte of the files whose <paramref name="damaged"/> entry is true (padding
    /// files aside): by each file's byte range, not by every piece's files (issue 14: a restart of 262,144 pieces
    /// asked each piece for its files through iterators, ~80 MB of garbage).</summary>
    public PieceSet PiecesOfFiles(bool[] damaged)
    {
        var pieces = new PieceSet(_meta.PieceCount);
        for (var i = 0; i < damaged.Length; i++)
        {
            if (!damaged[i] || _meta.Files[i].IsPadding || _lengths[i] == 0)
            {
                continue;
            }

            var last = (int)((_starts[i] + _lengths[i] - 1) / _meta.PieceLength);
            for (var piece = (int)(_starts[i] / _meta.PieceLength); piece <= last; piece++)
            {
                pieces.Add(piece);
            }
        }

        return pieces;
    }

    /// <summary>Indices of the non-padding files a piece spans.</summary>
    public IEnumerable<int> FileIndicesOf(int piece) =>
        ContentSpans.Map(_starts, _lengths, (long)piece * _meta.PieceLength, _meta.PieceSize(piece))
            .Select(p => p.File)
            .Where(i => !_meta.Files[i].IsPadding);

    /// <summary>fsync for the files these pieces were written to, so that journaling them as verified is true
    /// even after a power cut. fsync applies to the file, whichever descriptor wrote it.</summary>
    public void FlushToDisk(IEnumerable<int> pieces)
    {
        // Issue 14 (piece count): the files come from the batch's runs, one mapping each, not from every piece (a
        // 64 MiB batch of 4 KiB pieces is 16,384 of them, and all but a few lie in the same file).
        var files = new List<int>();
        var seen = new bool[_paths.Length];
        foreach (var part in SpansOf(pieces))
        {
            if (!seen[part.File] && !_meta.Files[part.File].IsPadding)
            {
                seen[part.File] = true;
                files.Add(part.File);
            }
        }

        foreach (var i in files)
        {
            _folder.EnsureInside(_paths[i]);
            using var stream = new FileStream(_paths[i], FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Lets the kernel drop these pieces' pages from its cache (<see cref="CacheWindow"/>). Only for pieces
    /// flushed to disk: dirty pages are not dropped, so nothing is lost either way. Advice only: a file that is gone or
    /// refuses is left as it is.</summary>
    public void DropFromCache(IEnumerable<int> pieces)
    {
        // What follows on in one file becomes one range, so a batch costs a call per file run, not per piece.
        var file = -1;
        long start = 0, end = 0;
        foreach (var part in SpansOf(pieces))
        {
            if (part.File == file && part.FileOffset == end)
            {
                end += part.Length;
                continue;
            }

            DropRange(file, start, end);
            (file, start, end) = (part.File, part.FileOffset, part.FileOffset + part.Length);
        }

        DropRange(file, start, end);
    }

    /// <summary>Where on disk <paramref name="pieces"/> lie, in ascending order of the torrent's bytes: the pieces are
    /// sorted, a duplicate counts once, and each run of consecutive pieces is mapped onto its files at once (in parts
    /// of at most 2 GiB, what one mapping takes).</summary>
    private IEnumerable<ContentSpan> SpansOf(IEnumerable<int> pieces)
    {
        var sorted = pieces.ToArray();
        Array.Sort(sorted);
        var perMapping = Math.Max(1, int.MaxValue / _meta.PieceLength);
        for (var i = 0; i < sorted.Length;)
        {
            // [first, end): the run starting at sorted[i], duplicates skipped.
            var first = sorted[i];
            var end = first + 1;
            for (i++; i < sorted.Length && sorted[i] <= end; i++)
            {
                end = sorted[i] + 1;
            }

            for (long from = first; from < end; from += perMapping)
            {
                var to = (int)Math.Min(end, from + perMapping);
                var offset = from * _meta.PieceLength;
                var length = (int)(((long)(to - 1) * _meta.PieceLength) + _meta.PieceSize(to - 1) - offset);
                foreach (var part in ContentSpans.Map(_starts, _lengths, offset, length))
                {
                    yield return part;
                }
            }
        }
    }

    /// <summary>Files touched by a piece, for error messages naming bad data (escaped for a terminal).</summary>
    public IEnumerable<string> FilesOf(int piece) => FileIndicesOf(piece).Select(i => Printable.ForTerminal(_meta.Files[i].JoinedPath));

    private void DropRange(int file, long start, long end)
    {
        if (file < 0 || end <= start || _meta.Files[file].IsPadding || !_present[file])
        {
            return;
        }

        try
        {
            using var lease = _handles.Acquire(_paths[file], write: false, _ensureInside);
            PageCache.Drop(lease.Handle, start, end - start);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or refused since it was flushed: its pages went with it, or stay until the kernel needs them.
        }
    }

    /// <summary>Bytes [<paramref name="offset"/>, +<paramref name="length"/>) of the buffers laid end to end.</summary>
    private static List<ReadOnlyMemory<byte>> Slice(IReadOnlyList<ReadOnlyMemory<byte>> parts, int offset, int length)
    {
        var slice = new List<ReadOnlyMemory<byte>>();
        var at = 0;
        foreach (var part in parts)
        {
            var from = Math.Max(offset, at);
            var to = Math.Min(offset + length, at + part.Length);
            if (from < to)
            {
                slice.Add(part.Slice(from - at, to - from));
            }

            at += part.Length;
        }

        return slice;
    }

    private void Transfer(long offset, int length, ReadOnlySpan<byte> source, Span<byte> dest, bool write)
    {
        foreach (var part in ContentSpans.Map(_starts, _lengths, offset, length))
        {
            var f = _meta.Files[part.File];
            if (f.IsPadding)
            {
                if (!write)
                {
                    dest.Slice(part.RangeOffset, part.Length).Clear();
                }

                continue;
            }

            if (write && !_present[part.File])
            {
                CreateIfMissing(part.File);
            }

            using var lease = _handles.Acquire(_paths[part.File], write, _ensureInside);
            if (write)
            {
                RandomAccess.Write(lease.Handle, source.Slice(part.RangeOffset, part.Length), part.FileOffset);
            }
            else if (RandomAccess.Read(lease.Handle, dest.Slice(part.RangeOffset, part.Length), part.FileOffset) != part.Length)
            {
                throw new EndOfStreamException($"'{Printable.ForTerminal(f.JoinedPath)}' is shorter than the torrent says");
            }
        }
    }

    /// <summary>Joins torrent path components under <paramref name="root"/> and refuses anything that lands outside it,
    /// whatever the parser let through (defence in depth against path traversal).</summary>
    public static string SafePath(string root, IReadOnlyList<string> components)
    {
        var full = Path.GetFullPath(Path.Combine([root, .. components]));
        var prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new InvalidTorrentException($"file path '{string.Join('/', components)}' escapes the download folder");
        }

        return full;
    }
}
