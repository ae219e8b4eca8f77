using System.Globalization;
using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Metainfo;

/// <summary>The v1 'files' list of <see cref="MetainfoParser"/>: each entry's length, attributes (padding, symlink)
/// and sanitized path, then symlink targets checked and duplicate paths renamed as libtorrent does.</summary>
public static partial class MetainfoParser
{
    private static List<TorrentFile> ReadFileList(BList fileList, string rootName)
    {
        var drafts = new List<Draft>(fileList.Items.Count);
        long offset = 0;
        foreach (var item in fileList.Items)
        {
            if (item is not BDictionary f)
            {
                throw new InvalidTorrentException("an entry of 'files' is not a dictionary");
            }

            var draft = ReadFile(f, rootName, offset);
            drafts.Add(draft);
            offset += draft.Length;
        }

        if (drafts.Count == 0)
        {
            throw new InvalidTorrentException("'files' is empty");
        }

        var targets = SymlinkTargets.Resolve([.. drafts.Select(d => d.Path)], [.. drafts.Select(d => d.SymlinkTarget)]);
        var paths = DuplicatePaths.Resolve([.. drafts.Select(d => new DuplicatePaths.Entry(d.Path, d.Length, d.IsPadding, d.OutsideRoot))]);
        return [.. drafts.Select((d, i) => new TorrentFile(paths[i], d.Length, d.Offset, d.IsPadding) { SymlinkTarget = targets[i] })];
    }

    private static Draft ReadFile(BDictionary f, string rootName, long offset)
    {
        var attributes = Attributes(f);
        var isSymlink = attributes.Contains('l', StringComparison.Ordinal);
        var isPadding = attributes.Contains('p', StringComparison.Ordinal);

        // A symlink takes no bytes of the content, whatever its 'length' says.
        var length = isSymlink ? 0 : ReadLength(f);
        if (length > MaxTotalLength - offset)
        {
            throw new InvalidTorrentException($"the files' lengths add up to more than {MaxTotalLength} bytes");
        }

        string[] path;
        var outsideRoot = false;
        if (((f["path.utf-8"] as BList) ?? (f["path"] as BList)) is { Items.Count: > 0 } pathList)
        {
            path = SanitizedComponents(pathList, "path");
            if (path.Length == 0)
            {
                path = ["_"];
            }
        }
        else if (isPadding)
        {
            path = [".pad", length.ToString(CultureInfo.InvariantCulture)];
            outsideRoot = true;
        }
        else
        {
            throw new InvalidTorrentException("a file has no 'path' or an empty one");
        }

        isPadding |= path.Any(c => c.Contains(BitCometPadding, StringComparison.Ordinal))
            || (!outsideRoot && rootName.Contains(BitCometPadding, StringComparison.Ordinal));

        string[]? target = null;
        if (isSymlink && f["symlink path"] is BList targetList)
        {
            // A symlink without a target is an empty file, as in libtorrent.
            target = SanitizedComponents(targetList, "symlink path");
        }

        return new Draft(path, length, offset, isPadding, outsideRoot, target is { Length: > 0 } ? target : null);
    }

    /// <summary>The list's elements as file names, leaving out those libtorrent drops ("", ".." and the like).</summary>
    private static string[] SanitizedComponents(BList list, string key)
    {
        if (list.Items.Any(c => c is not BString))
        {
            throw new InvalidTorrentException($"a '{key}' component is not a string");
        }

        return [.. list.Items.Cast<BString>().Select(c => PathSanitizer.Element(c.Bytes)).OfType<string>()];
    }

    /// <summary>BEP 47 attributes: 'p' padding, 'l' symlink ('x' executable and 'h' hidden change no path).</summary>
    private static string Attributes(BDictionary d) => d["attr"] is BString attr ? attr.Text : string.Empty;

    private static long ReadLength(BDictionary d)
    {
        if (d["length"] is not BInteger len)
        {
            throw new InvalidTorrentException("a file has no 'length' integer");
        }

        if (len.Value < 0)
        {
            throw new InvalidTorrentException($"a file has a negative length ({len.Value})");
        }

        if (len.Value > MaxFileLength)
        {
            throw new InvalidTorrentException($"a file length of {len.Value} bytes is more than the {MaxFileLength} a torrent may hold");
        }

        return len.Value;
    }

    /// <summary>A file as read, before symlink targets are checked and duplicate paths renamed.</summary>
    /// <param name="Path">Sanitized components below the torrent's root.</param>
    private sealed record Draft(IReadOnlyList<string> Path, long Length, long Offset, bool IsPadding, bool OutsideRoot, IReadOnlyList<string>? SymlinkTarget);
}
