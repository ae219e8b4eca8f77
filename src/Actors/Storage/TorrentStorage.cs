using System.Security.Cryptography;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Storage;

/// <summary>Maps a torrent's byte range onto its files below one root folder. Thread-safe: reads run on
/// socket writer tasks, writes on the storage actor. Every path is checked to stay inside the root.</summary>
public sealed class TorrentStorage
{
    private readonly TorrentMetainfo _meta;
    private readonly FileHandlePool _handles;
    private readonly string[] _paths;
    private readonly long[] _starts;
    private readonly long[] _lengths;

    public TorrentStorage(TorrentMetainfo meta, string downloadDir, FileHandlePool handles)
    {
        _meta = meta;
        _handles = handles;
        DownloadDir = Path.GetFullPath(downloadDir);
        var root = meta.IsMultiFile ? Path.Combine(DownloadDir, meta.Name) : DownloadDir;
        ContentPath = meta.IsMultiFile ? root : Path.Combine(DownloadDir, meta.Name);
        _paths = meta.Files.Select(f => SafePath(root, f.Path)).ToArray();
        _starts = meta.Files.Select(f => f.Offset).ToArray();
        _lengths = meta.Files.Select(f => f.Length).ToArray();
    }

    public string DownloadDir { get; }

    /// <summary>The torrent's file, or its folder for a multi-file torrent.</summary>
    public string ContentPath { get; }

    public TorrentMetainfo Metainfo => _meta;

    public string PathOf(int fileIndex) => _paths[fileIndex];

    /// <summary>Creates folders and sparse files of their final length; existing data is kept.</summary>
    public void Prepare()
    {
        Directory.CreateDirectory(DownloadDir);
        for (var i = 0; i < _paths.Length; i++)
        {
            var f = _meta.Files[i];
            if (f.IsPadding)
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(_paths[i])!);
            using var handle = File.OpenHandle(_paths[i], FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            if (RandomAccess.GetLength(handle) != f.Length)
            {
                // SetLength leaves a hole: no zeros are written, the file is sparse until data arrives.
                RandomAccess.SetLength(handle, f.Length);
            }
        }
    }

    /// <summary>Deletes the torrent's files (and, for a multi-file torrent, the folders it leaves empty); never
    /// anything else in the download folder. Returns how many files were deleted.</summary>
    public int DeleteContent()
    {
        var root = _meta.IsMultiFile ? ContentPath : DownloadDir;
        _handles.CloseUnder(root);
        var deleted = 0;
        for (var i = 0; i < _paths.Length; i++)
        {
            if (!_meta.Files[i].IsPadding && File.Exists(_paths[i]))
            {
                File.Delete(_paths[i]);
                deleted++;
            }
        }

        if (_meta.IsMultiFile && Directory.Exists(ContentPath))
        {
            // Deepest first, so a parent is empty by the time it is looked at; folders holding other files stay.
            foreach (var dir in Directory.EnumerateDirectories(ContentPath, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length).Append(ContentPath))
            {
                if (!Directory.EnumerateFileSystemEntries(dir).Any())
                {
                    Directory.Delete(dir);
                }
            }
        }

        return deleted;
    }

    public bool AnyFilePresent() => _meta.Files.Select((f, i) => !f.IsPadding && File.Exists(_paths[i])).Any(x => x);

    public void Write(int piece, ReadOnlySpan<byte> data) => Transfer((long)piece * _meta.PieceLength, data.Length, data, default, write: true);

    public void Read(int piece, int begin, Span<byte> into) => Transfer(((long)piece * _meta.PieceLength) + begin, into.Length, default, into, write: false);

    /// <summary>Hashes one piece from disk. Missing or short files count as a mismatch, not an error.</summary>
    public bool Verify(int piece, byte[] buffer)
    {
        var size = _meta.PieceSize(piece);
        try
        {
            Read(piece, 0, buffer.AsSpan(0, size));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or EndOfStreamException)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(buffer.AsSpan(0, size), hash);
        return hash.SequenceEqual(_meta.PieceHash(piece));
    }

    /// <summary>Whether a file still exists with its full length: the cheap check that lets a journaled torrent
    /// skip re-hashing at start-up.</summary>
    public bool FileIntact(int fileIndex)
    {
        var f = _meta.Files[fileIndex];
        return f.IsPadding || (File.Exists(_paths[fileIndex]) && new FileInfo(_paths[fileIndex]).Length == f.Length);
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
        foreach (var i in pieces.SelectMany(FileIndicesOf).Distinct())
        {
            using var stream = new FileStream(_paths[i], FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Files touched by a piece, for error messages naming bad data.</summary>
    public IEnumerable<string> FilesOf(int piece) => FileIndicesOf(piece).Select(i => _meta.Files[i].JoinedPath);

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

            using var lease = _handles.Acquire(_paths[part.File], write);
            if (write)
            {
                RandomAccess.Write(lease.Handle, source.Slice(part.RangeOffset, part.Length), part.FileOffset);
            }
            else if (RandomAccess.Read(lease.Handle, dest.Slice(part.RangeOffset, part.Length), part.FileOffset) != part.Length)
            {
                throw new EndOfStreamException($"'{f.JoinedPath}' is shorter than the torrent says");
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
