using System.Security.Cryptography;
using System.Text;
using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Metainfo;

/// <summary>Reads and validates a v1 (or hybrid, used as v1) .torrent file.</summary>
public static class MetainfoParser
{
    public const int MinPieceLength = 16 * 1024;
    public const int MaxPieceLength = 64 * 1024 * 1024;

    /// <summary>1 PiB: far beyond any real torrent, and far enough from 2^63 that sums and piece counts cannot overflow.</summary>
    private const long MaxTotalLength = 1L << 50;

    public static TorrentMetainfo Parse(ReadOnlySpan<byte> data)
    {
        BValue root;
        try
        {
            root = BencodeReader.Decode(data);
        }
        catch (BencodeException e)
        {
            throw new InvalidTorrentException($"not a valid torrent file: {e.Message}", e);
        }

        if (root is not BDictionary dict)
        {
            throw new InvalidTorrentException("not a valid torrent file: the top level is not a dictionary");
        }

        if (dict["info"] is not BDictionary info)
        {
            throw new InvalidTorrentException("the torrent has no 'info' dictionary");
        }

        var infoBytes = data.Slice(info.SourceOffset, info.SourceLength).ToArray();
        var meta = ParseInfo(info, infoBytes);

        var tiers = new List<IReadOnlyList<string>>();
        if (dict["announce-list"] is BList announceList)
        {
            foreach (var tier in announceList.Items.OfType<BList>())
            {
                var urls = tier.Items.OfType<BString>().Select(s => s.Text).Where(u => u.Length > 0).ToList();
                if (urls.Count > 0)
                {
                    tiers.Add(urls);
                }
            }
        }

        // BEP 12: announce-list, when present, supersedes announce.
        if (tiers.Count == 0 && dict["announce"] is BString announce && announce.Bytes.Length > 0)
        {
            tiers.Add([announce.Text]);
        }

        return meta with
        {
            TrackerTiers = tiers,
            CreationDate = dict["creation date"] is BInteger cd && cd.Value > 0 && cd.Value < 253402300800 ? DateTimeOffset.FromUnixTimeSeconds(cd.Value) : null,
            Comment = (dict["comment.utf-8"] ?? dict["comment"]) is BString c ? c.Text : null,
            CreatedBy = dict["created by"] is BString cb ? cb.Text : null,
        };
    }

    /// <summary>Builds metainfo from a bare info dictionary (BEP 9 metadata), checking it against the expected hash.</summary>
    public static TorrentMetainfo ParseInfoDictionary(ReadOnlySpan<byte> infoBytes, InfoHash? expected = null)
    {
        BValue value;
        try
        {
            value = BencodeReader.Decode(infoBytes);
        }
        catch (BencodeException e)
        {
            throw new InvalidTorrentException($"invalid info dictionary: {e.Message}", e);
        }

        if (value is not BDictionary info)
        {
            throw new InvalidTorrentException("invalid info dictionary: not a dictionary");
        }

        var meta = ParseInfo(info, infoBytes.ToArray());
        if (expected is not null && !meta.InfoHash.Equals(expected))
        {
            throw new InvalidTorrentException($"info dictionary hashes to {meta.InfoHash}, expected {expected}");
        }

        return meta;
    }

    private static TorrentMetainfo ParseInfo(BDictionary info, byte[] infoBytes)
    {
        var hasV1 = info["pieces"] is not null;
        if (!hasV1 && info["meta version"] is BInteger { Value: 2 })
        {
            throw new InvalidTorrentException("BitTorrent v2-only torrents are not supported");
        }

        var name = RequireString(info, "name.utf-8", "name");
        ValidateComponent(name, "name");

        if (info["piece length"] is not BInteger pl)
        {
            throw new InvalidTorrentException("'piece length' is missing or not an integer");
        }

        if (pl.Value < MinPieceLength || pl.Value > MaxPieceLength || (pl.Value & (pl.Value - 1)) != 0)
        {
            throw new InvalidTorrentException($"'piece length' {pl.Value} is not a power of two between {MinPieceLength} and {MaxPieceLength}");
        }

        var pieceLength = (int)pl.Value;
        if (info["pieces"] is not BString pieces)
        {
            throw new InvalidTorrentException("'pieces' is missing or not a string");
        }

        if (pieces.Bytes.Length == 0 || pieces.Bytes.Length % 20 != 0)
        {
            throw new InvalidTorrentException($"'pieces' is {pieces.Bytes.Length} bytes, not a non-zero multiple of 20");
        }

        var files = new List<TorrentFile>();
        bool multi;
        if (info["files"] is BList fileList)
        {
            multi = true;
            if (info["length"] is not null)
            {
                throw new InvalidTorrentException("the info dictionary has both 'length' and 'files'");
            }

            var tree = new PathNode();
            long offset = 0;
            foreach (var item in fileList.Items)
            {
                if (item is not BDictionary f)
                {
                    throw new InvalidTorrentException("an entry of 'files' is not a dictionary");
                }

                var length = RequireLength(f);
                if ((f["path.utf-8"] ?? f["path"]) is not BList pathList || pathList.Items.Count == 0)
                {
                    throw new InvalidTorrentException("a file has no 'path' or an empty one");
                }

                var path = new List<string>(pathList.Items.Count);
                foreach (var component in pathList.Items)
                {
                    if (component is not BString s)
                    {
                        throw new InvalidTorrentException("a path component is not a string");
                    }

                    ValidateComponent(s.Text, "path component");
                    path.Add(s.Text);
                }

                var isPadding = f["attr"] is BString attr && attr.Text.Contains('p', StringComparison.Ordinal);
                if (!isPadding)
                {
                    AddPath(tree, path);
                }

                if (length > MaxTotalLength - offset)
                {
                    throw new InvalidTorrentException($"the files' lengths add up to more than {MaxTotalLength} bytes, beyond any real torrent");
                }

                files.Add(new TorrentFile(path, length, offset, isPadding));
                offset += length;
            }

            if (files.Count == 0)
            {
                throw new InvalidTorrentException("'files' is empty");
            }
        }
        else
        {
            multi = false;
            files.Add(new TorrentFile([name], RequireLength(info), 0, false));
        }

        var total = files[^1].Offset + files[^1].Length;
        var expectedPieces = (total + pieceLength - 1) / pieceLength;
        if (total == 0)
        {
            throw new InvalidTorrentException("the torrent's content is empty");
        }

        if (expectedPieces != pieces.Bytes.Length / 20)
        {
            throw new InvalidTorrentException($"'pieces' holds {pieces.Bytes.Length / 20} hashes but {total} bytes in pieces of {pieceLength} need {expectedPieces}");
        }

        var isPrivate = info["private"] is BInteger { Value: 1 };
        return new TorrentMetainfo(
            new InfoHash(SHA1.HashData(infoBytes)),
            name,
            pieceLength,
            pieces.Bytes,
            files,
            multi,
            [],
            isPrivate,
            null,
            null,
            null,
            infoBytes);
    }

    /// <summary>Adds a file's path to the tree of paths seen so far, refusing a second file at one path and a path
    /// that is both a file and a folder. Linear in the number of components, whatever the nesting.</summary>
    private static void AddPath(PathNode root, List<string> path)
    {
        var node = root;
        for (var i = 0; i < path.Count; i++)
        {
            var last = i == path.Count - 1;
            node.Children ??= new Dictionary<string, PathNode>(StringComparer.Ordinal);
            if (node.Children.TryGetValue(path[i], out var child))
            {
                var here = Printable.Escape(string.Join('/', path.Take(i + 1)));
                if (child.IsFile && last)
                {
                    throw new InvalidTorrentException($"two files share the path '{here}'");
                }

                if (child.IsFile || last)
                {
                    throw new InvalidTorrentException($"'{here}' is both a file and a folder");
                }
            }
            else
            {
                child = new PathNode { IsFile = last };
                node.Children.Add(path[i], child);
            }

            node = child;
        }
    }

    private static long RequireLength(BDictionary d)
    {
        if (d["length"] is not BInteger len)
        {
            throw new InvalidTorrentException("a file has no 'length' integer");
        }

        if (len.Value < 0)
        {
            throw new InvalidTorrentException($"a file has a negative length ({len.Value})");
        }

        // Keeps the running total far from overflow: no real torrent approaches 2^62 bytes.
        if (len.Value > MaxTotalLength)
        {
            throw new InvalidTorrentException($"a file length of {len.Value} bytes is beyond any real torrent");
        }

        return len.Value;
    }

    private static string RequireString(BDictionary d, string preferred, string key)
    {
        if ((d[preferred] ?? d[key]) is not BString s)
        {
            throw new InvalidTorrentException($"'{key}' is missing or not a string");
        }

        return s.Text;
    }

    /// <summary>Rejects anything that could name a path outside the download folder.</summary>
    private static void ValidateComponent(string component, string what)
    {
        if (component.Length == 0)
        {
            throw new InvalidTorrentException($"a {what} is empty");
        }

        if (component is "." or "..")
        {
            throw new InvalidTorrentException($"a {what} is '{component}', which would escape the download folder");
        }

        if (component.Contains('\0'))
        {
            throw new InvalidTorrentException($"a {what} contains a NUL byte");
        }

        if (component.Contains('/') || component.Contains('\\'))
        {
            throw new InvalidTorrentException($"a {what} '{Printable.Escape(component)}' contains a path separator");
        }

        if (component.Length >= 2 && component[1] == ':' && char.IsAsciiLetter(component[0]))
        {
            throw new InvalidTorrentException($"a {what} '{Printable.Escape(component)}' is an absolute path");
        }

        if (Encoding.UTF8.GetByteCount(component) > 255)
        {
            throw new InvalidTorrentException($"a {what} is longer than 255 bytes");
        }
    }

    private sealed class PathNode
    {
        public Dictionary<string, PathNode>? Children { get; set; }

        public bool IsFile { get; init; }
    }
}
