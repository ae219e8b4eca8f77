using System.Security.Cryptography;
using Swarm.Protocol.Bencode;

namespace Swarm.Protocol.Metainfo;

/// <summary>Reads a v1, v2 or hybrid (BEP 52) .torrent file the way libtorrent 2.0 reads it: what libtorrent loads
/// loads here, with the same file paths (see <see cref="PathSanitizer"/>, <see cref="SymlinkTargets"/>,
/// <see cref="DuplicatePaths"/>), and what it refuses is refused with a one-line reason.</summary>
public static partial class MetainfoParser
{
    /// <summary>The smallest piece length of the torrents we create.</summary>
    public const int MinPieceLength = 16 * 1024;

    /// <summary>The largest piece length of the torrents we create.</summary>
    public const int MaxPieceLength = 64 * 1024 * 1024;

    /// <summary>libtorrent's load_torrent_limits: the largest .torrent file it reads.</summary>
    public const int MaxTorrentFileSize = 10_000_000;

    /// <summary>libtorrent's limit: half of int.MaxValue leaves room to round block counts up.</summary>
    public const int MaxLoadedPieceLength = int.MaxValue / 2;

    /// <summary>libtorrent's load_torrent_limits: the most pieces it loads.</summary>
    public const int MaxPieces = 0x200000;

    /// <summary>libtorrent's file_storage::max_file_offset: the files' lengths may add up to this at most.</summary>
    public const long MaxTotalLength = (1L << 48) - 1;

    /// <summary>libtorrent refuses a file of (int.MaxValue / 2) 16 KiB blocks or more.</summary>
    private const long MaxFileLength = ((long)(int.MaxValue / 2) * BlockLength) - 1;

    private const int BlockLength = 16 * 1024;

    /// <summary>BitComet's padding files carry no 'attr'; libtorrent knows them by this name.</summary>
    private const string BitCometPadding = "_____padding_file_";

    public static TorrentMetainfo Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxTorrentFileSize)
        {
            throw new InvalidTorrentException($"the file is {data.Length} bytes, larger than the {MaxTorrentFileSize} bytes a torrent may have");
        }

        BValue root;
        try
        {
            root = TolerantBencodeReader.Decode(data);
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

        var webSeeds = WebSeeds.UrlList.Read(dict["url-list"]); // issue 17: BEP 19 web seeds
        return meta with
        {
            WebSeeds = webSeeds.Seeds,
            WebSeedsDropped = webSeeds.Dropped,
            TrackerTiers = tiers,
            CreationDate = dict["creation date"] is BInteger cd && cd.Value > 0 && cd.Value < 253402300800 ? DateTimeOffset.FromUnixTimeSeconds(cd.Value) : null,
            Comment = (dict["comment.utf-8"] ?? dict["comment"]) is BString c ? c.Text : null,
            CreatedBy = dict["created by"] is BString cb ? cb.Text : null,
            V2 = meta.V2 is { } v2
                ? v2 with { PieceLayers = PieceLayers.Read(dict["piece layers"] as BDictionary, v2.Files, meta.PieceLength, required: !v2.IsHybrid) }
                : null,
        };
    }

    /// <summary>Builds metainfo from a bare info dictionary (BEP 9 metadata), checking it against the expected hash.</summary>
    public static TorrentMetainfo ParseInfoDictionary(ReadOnlySpan<byte> infoBytes, InfoHash? expected = null)
    {
        BValue value;
        try
        {
            value = TolerantBencodeReader.Decode(infoBytes);
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
        var version = info["meta version"] is BInteger v ? v.Value : -1;
        CheckVersion(info, version, infoBytes);
        var pieceLength = ReadPieceLength(info, version);
        var name = (info["name.utf-8"] as BString) ?? (info["name"] as BString)
            ?? throw new InvalidTorrentException("'name' is missing or not a string");
        var tree = version == 2 ? FileTree.Read((BDictionary)info["file tree"]!, MaxTotalLength, MaxFileLength) : null;
        if (tree is not null && info["pieces"] is not BString)
        {
            return ParseV2Only(info, infoBytes, tree, pieceLength, name);
        }

        var infoHash = new InfoHash(SHA1.HashData(infoBytes));

        List<TorrentFile> files;
        string rootName;
        var fileList = info["files"] as BList;
        if (fileList is not null)
        {
            // A name that sanitizes to nothing ("..") leaves the folder named after the info-hash.
            rootName = PathSanitizer.Element(name.Bytes) ?? infoHash.Hex;
            files = ReadFileList(fileList, rootName);
        }
        else
        {
            rootName = SingleFileName(name);
            // A lone symlink has no content, which refuses the torrent below, as libtorrent does.
            var length = Attributes(info).Contains('l', StringComparison.Ordinal) ? 0 : ReadLength(info);
            var isPadding = Attributes(info).Contains('p', StringComparison.Ordinal) || rootName.Contains(BitCometPadding, StringComparison.Ordinal);
            files = [new TorrentFile([rootName], length, 0, isPadding)];
        }

        var total = files[^1].Offset + files[^1].Length;
        var pieces = InPlace(CheckPieces(info, total, pieceLength), info, infoBytes);
        var isPrivate = info["private"] is BInteger { Value: not 0 };
        var meta = new TorrentMetainfo(infoHash, rootName, pieceLength, pieces, files, fileList is not null, [], isPrivate, null, null, null, infoBytes);
        if (tree is null)
        {
            return meta;
        }

        var offsets = V2Layout.CheckHybrid(tree, files, pieceLength);
        return meta with { V2 = new TorrentV2(InfoHashV2.Of(infoBytes), tree, offsets, IsHybrid: true) };
    }

    /// <summary>A v2-only torrent: keyed by its truncated v2 hash, laid out with the pad files libtorrent gives it. A
    /// tree of one file directly under the root is a single-file torrent named after that file, as in libtorrent
    /// (whatever 'name' says: a folder of one file made by libtorrent reads back so).</summary>
    private static TorrentMetainfo ParseV2Only(BDictionary info, byte[] infoBytes, IReadOnlyList<V2File> tree, int pieceLength, BString name)
    {
        var hash = InfoHashV2.Of(infoBytes);
        var single = V2Layout.IsSingleFile(tree);
        var rootName = single ? tree[0].Path[0] : PathSanitizer.Element(name.Bytes) ?? hash.Truncated.Hex;
        var (files, offsets) = V2Layout.Synthesize(tree, pieceLength, single ? rootName : null);
        var total = files[^1].Offset + files[^1].Length;
        if (total == 0)
        {
            throw new InvalidTorrentException("the torrent's content is empty");
        }

        var pieces = (total + pieceLength - 1) / pieceLength;
        if (pieces > MaxPieces)
        {
            throw new InvalidTorrentException($"{total} bytes in pieces of {pieceLength} make {pieces} pieces, more than the {MaxPieces} a torrent may have");
        }

        var isPrivate = info["private"] is BInteger { Value: not 0 };
        return new TorrentMetainfo(hash.Truncated, rootName, pieceLength, ReadOnlyMemory<byte>.Empty, files, !single, [], isPrivate, null, null, null, infoBytes)
        {
            V2 = new TorrentV2(hash, tree, offsets, IsHybrid: false),
        };
    }

    private static void CheckVersion(BDictionary info, long version, byte[] infoBytes)
    {
        if (version > 2)
        {
            throw new InvalidTorrentException($"'meta version' {version} is not supported");
        }

        if (version >= 2 && info["file tree"] is not BDictionary)
        {
            throw new InvalidTorrentException("the torrent says 'meta version' 2 but has no 'file tree'");
        }

        if (version < 2 && info["file tree"] is BDictionary)
        {
            throw new InvalidTorrentException("the torrent has a 'file tree' but no 'meta version' 2");
        }

        if (version > 0)
        {
            // libtorrent holds v2 info dictionaries to canonical bencode (sorted keys, no leading zeros).
            try
            {
                BencodeReader.Decode(infoBytes, new BencodeLimits(MaxDepth: TolerantBencodeReader.MaxDepth, MaxTokens: TolerantBencodeReader.MaxTokens, MaxStringLength: MaxTorrentFileSize));
            }
            catch (BencodeException e)
            {
                throw new InvalidTorrentException($"the info dictionary of a v2 torrent is not canonical bencode: {e.Message}", e);
            }
        }
    }

    private static int ReadPieceLength(BDictionary info, long version)
    {
        if (info["piece length"] is not BInteger pl)
        {
            throw new InvalidTorrentException("'piece length' is missing or not an integer");
        }

        if (pl.Value <= 0 || pl.Value > MaxLoadedPieceLength)
        {
            throw new InvalidTorrentException($"'piece length' {pl.Value} is not between 1 and {MaxLoadedPieceLength} bytes");
        }

        // BEP 52: a v2 (hybrid) torrent's pieces are a power of two of at least 16 KiB.
        if (version > 1 && (pl.Value < BlockLength || (pl.Value & (pl.Value - 1)) != 0))
        {
            throw new InvalidTorrentException($"'piece length' {pl.Value} of a v2 torrent is not a power of two of at least {BlockLength}");
        }

        return (int)pl.Value;
    }

    private static string SingleFileName(BString name)
    {
        if (name.Bytes.Length == 0)
        {
            throw new InvalidTorrentException("the torrent's name is empty");
        }

        return PathSanitizer.Element(name.Bytes)
            ?? throw new InvalidTorrentException($"the torrent's name '{Printable.Escape(name.Text)}' is not a file name");
    }

    /// <summary>Issue 14 (piece count): the piece hashes where they lie in <paramref name="infoBytes"/> (which every
    /// torrent keeps, to serve its metadata), rather than a copy of their own: 5 MiB less per torrent of 262,144 pieces.
    /// A string located by its source (the reader records where each value was) is found there; otherwise its own
    /// bytes are used.</summary>
    private static ReadOnlyMemory<byte> InPlace(BString pieces, BDictionary info, byte[] infoBytes)
    {
        var at = pieces.SourceOffset + pieces.SourceLength - pieces.Bytes.Length - info.SourceOffset;
        if (pieces.SourceOffset < 0 || info.SourceOffset < 0 || at < 0 || at + pieces.Bytes.Length > infoBytes.Length)
        {
            return pieces.Bytes;
        }

        var inPlace = infoBytes.AsMemory(at, pieces.Bytes.Length);
        return inPlace.Span.SequenceEqual(pieces.Bytes) ? inPlace : pieces.Bytes;
    }

    private static BString CheckPieces(BDictionary info, long total, int pieceLength)
    {
        if (total == 0)
        {
            throw new InvalidTorrentException("the torrent's content is empty");
        }

        var expected = (total + pieceLength - 1) / pieceLength;
        if (expected > MaxPieces)
        {
            throw new InvalidTorrentException($"{total} bytes in pieces of {pieceLength} make {expected} pieces, more than the {MaxPieces} a torrent may have");
        }

        if (info["pieces"] is not BString pieces)
        {
            throw new InvalidTorrentException("'pieces' is missing or not a string");
        }

        if (pieces.Bytes.Length == 0 || pieces.Bytes.Length % 20 != 0)
        {
            throw new InvalidTorrentException($"'pieces' is {pieces.Bytes.Length} bytes, not a non-zero multiple of 20");
        }

        if (expected != pieces.Bytes.Length / 20)
        {
            throw new InvalidTorrentException($"'pieces' holds {pieces.Bytes.Length / 20} hashes but {total} bytes in pieces of {pieceLength} need {expected}");
        }

        return pieces;
    }
}
