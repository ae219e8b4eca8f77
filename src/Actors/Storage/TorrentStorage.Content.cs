using Swarm.Protocol;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Storage;

/// <summary>What a torrent's storage created on disk: file indices and folders relative to its save folder.</summary>
public sealed record CreatedContent(IReadOnlyList<int> Files, IReadOnlyList<string> Folders)
{
    public static CreatedContent None { get; } = new([], []);

    public bool IsEmpty => Files.Count == 0 && Folders.Count == 0;
}

// What a torrent's storage puts on disk besides data: its files (created at their first write), folders and symbolic
// links, noted as created so that only those are ever deleted with the torrent.
public sealed partial class TorrentStorage
{
    /// <summary>Checks that every file stays inside the save folder and makes the torrent's symbolic links; data files
    /// are created only when their first data is written (<see cref="Write"/>), so an add creates nothing it does not
    /// need and a file already there is never truncated. What this creates is reported by <see cref="TakeCreated"/>.</summary>
    public void Prepare()
    {
        // Looked at again after every check: a file that vanished is created anew at its next write.
        Array.Clear(_present);
        for (var i = 0; i < _paths.Length; i++)
        {
            var f = _meta.Files[i];
            if (f.IsPadding)
            {
                continue;
            }

            var folder = Path.GetDirectoryName(_paths[i])!;
            _folder.EnsureInside(folder);
            if (f.IsSymlink)
            {
                CreateFolders(folder);
                PrepareSymlink(i);
                continue;
            }

            _folder.EnsureInside(_paths[i]);
            if (f.Length == 0 && !File.Exists(_paths[i]))
            {
                // An empty file never gets a first write; it is complete as soon as it exists (as libtorrent makes it).
                CreateIfMissing(i);
            }
        }
    }

    /// <summary>The files (by index) and folders (relative to <see cref="DownloadDir"/>, '/'-separated) this storage
    /// created since the last call: the owner journals them, and only those are ever deleted.</summary>
    public CreatedContent TakeCreated()
    {
        lock (_created)
        {
            if (_createdFiles.Count == 0 && _createdFolders.Count == 0)
            {
                return CreatedContent.None; // the usual answer after a write: no copies of empty lists per piece
            }

            var taken = new CreatedContent([.. _createdFiles], [.. _createdFolders]);
            _createdFiles.Clear();
            _createdFolders.Clear();
            return taken;
        }
    }

    /// <summary>Deletes the files and symbolic links this torrent created (<paramref name="created"/>, as journaled),
    /// then the folders it created that are left empty, deepest first; never anything else, and nothing a symbolic
    /// link leads to. Returns how many files were deleted.</summary>
    public int DeleteCreated(CreatedContent created)
    {
        var root = _meta.IsMultiFile ? ContentPath : DownloadDir;
        _handles.CloseUnder(root);
        var deleted = 0;
        foreach (var i in created.Files.Where(i => i >= 0 && i < _paths.Length).Distinct())
        {
            var f = _meta.Files[i];
            if (f.IsPadding || !_folder.IsInside(Path.GetDirectoryName(_paths[i])!))
            {
                continue;
            }

            // A link is deleted itself, never what it points to.
            if (new FileInfo(_paths[i]).LinkTarget is not null || (!f.IsSymlink && File.Exists(_paths[i])))
            {
                File.Delete(_paths[i]);
                deleted++;
            }
        }

        var folders = created.Folders
            .Select(rel => Path.GetFullPath(Path.Combine(DownloadDir, rel)))
            .Where(d => d.StartsWith(DownloadDir + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal);
        foreach (var dir in folders.OrderByDescending(d => d.Length))
        {
            // A parent is looked at after its children; folders holding other files stay, and a link is left alone.
            if (Directory.Exists(dir) && new DirectoryInfo(dir).LinkTarget is null && _folder.IsInside(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
            {
                Directory.Delete(dir);
            }
        }

        return deleted;
    }

    /// <summary>Whether any data file is there (links and padding hold no data).</summary>
    public bool AnyFilePresent() => _meta.Files.Select((f, i) => !f.IsPadding && !f.IsSymlink && File.Exists(_paths[i])).Any(x => x);

    /// <summary>Creates the link, keeps it when it already points where it should, replaces another link, and
    /// refuses to replace a file or folder (as libtorrent does).</summary>
    private void PrepareSymlink(int fileIndex)
    {
        var path = _paths[fileIndex];
        var text = SymlinkText(_meta.Files[fileIndex]);
        var existing = new FileInfo(path).LinkTarget;
        if (existing == text)
        {
            return;
        }

        if (existing is not null)
        {
            File.Delete(path);
        }
        else if (File.Exists(path) || Directory.Exists(path))
        {
            throw new IOException($"'{Printable.ForTerminal(path)}' exists where the torrent has a symbolic link");
        }

        File.CreateSymbolicLink(path, text);
        lock (_created)
        {
            _createdFiles.Add(fileIndex);
        }
    }

    /// <summary>A data file's first write: creates its folders and the file itself at its final length (its blocks
    /// reserved with <see cref="Preallocate"/>, else sparse; no zeros are written either way), and notes both as
    /// created. A file already there is used as it is, never truncated nor allocated: it may hold data to resume from,
    /// and it is not this torrent's to delete.</summary>
    private void CreateIfMissing(int fileIndex)
    {
        var path = _paths[fileIndex];
        var folder = Path.GetDirectoryName(path)!;
        _folder.EnsureInside(folder);
        CreateFolders(folder);
        _folder.EnsureInside(path);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            var length = _meta.Files[fileIndex].Length;
            if (!Preallocate || !FileAllocation.Reserve(handle, length))
            {
                RandomAccess.SetLength(handle, length);
            }
            lock (_created)
            {
                _createdFiles.Add(fileIndex);
            }
        }
        catch (IOException) when (File.Exists(path))
        {
            // Someone else's file appeared meanwhile: used, not claimed.
        }

        _present[fileIndex] = true;
    }

    /// <summary>Creates the missing folders from the save folder down to <paramref name="folder"/>, noting each.</summary>
    private void CreateFolders(string folder)
    {
        var missing = new Stack<string>();
        for (var d = folder; d.Length > DownloadDir.Length && !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
        {
            missing.Push(d);
        }

        Directory.CreateDirectory(DownloadDir);
        while (missing.TryPop(out var d))
        {
            _folder.EnsureInside(d);
            Directory.CreateDirectory(d);
            lock (_created)
            {
                _createdFolders.Add(Path.GetRelativePath(DownloadDir, d).Replace(Path.DirectorySeparatorChar, '/'));
            }
        }
    }

    /// <summary>Where a symbolic link of the torrent points, relative to the link's folder as libtorrent writes it
    /// (its target is a file or folder of the torrent, or the link itself); "." for the link's own folder.</summary>
    public static string SymlinkText(TorrentFile link)
    {
        var from = link.Path.Take(link.Path.Count - 1).ToList();
        var to = link.SymlinkTarget ?? throw new ArgumentException($"'{link.JoinedPath}' is not a symbolic link", nameof(link));
        var common = 0;
        while (common < from.Count && common < to.Count && from[common] == to[common])
        {
            common++;
        }

        var text = string.Join('/', Enumerable.Repeat("..", from.Count - common).Concat(to.Skip(common)));
        return text.Length == 0 ? "." : text;
    }
}
