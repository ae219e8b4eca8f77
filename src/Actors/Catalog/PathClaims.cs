using System.Collections.Immutable;
using Swarm.Actors.Storage;
using Swarm.Protocol.Metainfo;

namespace Swarm.Actors.Catalog;

/// <summary>Which torrent of the node owns which file path, so that no two torrents ever write, truncate or delete the
/// same file. Two torrents overlap when one's file is the other's file, or is a folder on the way to the other's file.
/// Paths are absolute and physical: the save folder with its symbolic links resolved (<see cref="SaveFolder.RealPath"/>),
/// then each file's sanitized components joined below it as <see cref="TorrentStorage"/> does. Kept in memory and
/// rebuilt from the journal's torrents at start-up.</summary>
public sealed record PathClaims
{
    private static readonly char Separator = Path.DirectorySeparatorChar;

    public static PathClaims Empty { get; } = new();

    /// <summary>Every claimed file (and symbolic link) path, by the torrent owning it.</summary>
    private ImmutableDictionary<string, string> Files { get; init; } = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);

    /// <summary>Every folder on the way to a claimed file, with how many claimed files lie below it.</summary>
    private ImmutableDictionary<string, int> Folders { get; init; } = ImmutableDictionary.Create<string, int>(StringComparer.Ordinal);

    private ImmutableDictionary<string, ImmutableArray<string>> ByTorrent { get; init; } = ImmutableDictionary.Create<string, ImmutableArray<string>>(StringComparer.Ordinal);

    /// <summary>The absolute paths a torrent saved into <paramref name="savePath"/> writes: its data files and links
    /// (padding files are never on disk). Throws <see cref="InvalidTorrentException"/> for a path escaping the folder.</summary>
    public static IReadOnlyList<string> PathsOf(TorrentMetainfo meta, string savePath)
    {
        var folder = SaveFolder.RealPath(savePath);
        var root = meta.IsMultiFile ? TorrentStorage.SafePath(folder, [meta.Name]) : folder;
        return [.. meta.Files.Where(f => !f.IsPadding).Select(f => TorrentStorage.SafePath(root, f.Path))];
    }

    /// <summary>The torrent already holding one of <paramref name="paths"/> (or a folder or file on the way), with the
    /// path in question; null when none does. A torrent never conflicts with itself.</summary>
    public (string InfoHash, string Path)? Conflict(string infoHash, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Files.TryGetValue(path, out var owner) && owner != infoHash)
            {
                return (owner, path);
            }

            // The path is a folder holding another torrent's files.
            if (Folders.ContainsKey(path))
            {
                var below = path + Separator;
                var other = ByTorrent.FirstOrDefault(kv => kv.Key != infoHash && kv.Value.Any(p => p.StartsWith(below, StringComparison.Ordinal)));
                if (other.Key is not null)
                {
                    return (other.Key, path);
                }
            }

            // A folder on the way is another torrent's file.
            foreach (var folder in Ancestors(path))
            {
                if (Files.TryGetValue(folder, out var fileOwner) && fileOwner != infoHash)
                {
                    return (fileOwner, folder);
                }
            }
        }

        return null;
    }

    /// <summary>Records <paramref name="paths"/> as the torrent's (replacing what it claimed before); the caller checks
    /// <see cref="Conflict"/> first.</summary>
    public PathClaims Claim(string infoHash, IReadOnlyList<string> paths)
    {
        var claims = ByTorrent.ContainsKey(infoHash) ? Release(infoHash) : this;
        var files = claims.Files.ToBuilder();
        var folders = claims.Folders.ToBuilder();
        foreach (var path in paths)
        {
            files[path] = infoHash;
            foreach (var folder in Ancestors(path))
            {
                folders[folder] = folders.GetValueOrDefault(folder) + 1;
            }
        }

        return claims with { Files = files.ToImmutable(), Folders = folders.ToImmutable(), ByTorrent = claims.ByTorrent.SetItem(infoHash, [.. paths]) };
    }

    /// <summary>Frees everything the torrent claimed (it was removed).</summary>
    public PathClaims Release(string infoHash)
    {
        if (!ByTorrent.TryGetValue(infoHash, out var paths))
        {
            return this;
        }

        var files = Files.ToBuilder();
        var folders = Folders.ToBuilder();
        foreach (var path in paths)
        {
            if (files.TryGetValue(path, out var owner) && owner == infoHash)
            {
                files.Remove(path);
            }

            foreach (var folder in Ancestors(path))
            {
                var left = folders.GetValueOrDefault(folder) - 1;
                if (left > 0)
                {
                    folders[folder] = left;
                }
                else
                {
                    folders.Remove(folder);
                }
            }
        }

        return this with { Files = files.ToImmutable(), Folders = folders.ToImmutable(), ByTorrent = ByTorrent.Remove(infoHash) };
    }

    public bool Claims(string infoHash) => ByTorrent.ContainsKey(infoHash);

    /// <summary>Hands the paths of <paramref name="from"/> to the owner key <paramref name="to"/> (a removed torrent
    /// whose data is being deleted keeps its paths until that is done).</summary>
    public PathClaims Transfer(string from, string to) =>
        ByTorrent.TryGetValue(from, out var paths) ? Release(from).Claim(to, paths) : this;

    private static IEnumerable<string> Ancestors(string path)
    {
        for (var d = Path.GetDirectoryName(path); !string.IsNullOrEmpty(d); d = Path.GetDirectoryName(d))
        {
            yield return d;
        }
    }
}
